package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UpstreamClientTest {

    @Test
    void aCallOnTheServersOwnBehalfLeavesAQuarterOfThePlacesToTurns() {
        assertTrue(UpstreamClient.spareAllowed(1024, 1024), "an idle server asks");
        assertTrue(UpstreamClient.spareAllowed(257, 1024));
        assertFalse(UpstreamClient.spareAllowed(256, 1024), "a quarter free: kept for turns");
        assertFalse(UpstreamClient.spareAllowed(0, 1024));
        assertTrue(UpstreamClient.spareAllowed(1, 1), "with one place, a free one may be taken");
        assertFalse(UpstreamClient.spareAllowed(0, 1));
    }
}
