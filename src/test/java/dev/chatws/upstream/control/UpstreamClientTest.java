package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UpstreamClientTest {

    @Test
    void callsOnTheServersOwnBehalfHavePlacesOfTheirOwn() {
        assertEquals(64, UpstreamClient.spares(1024), "a sixteenth of the turns' places");
        assertEquals(1, UpstreamClient.spares(4), "at least one");
        assertEquals(1, UpstreamClient.spares(1));
    }
}
