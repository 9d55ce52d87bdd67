package dev.chatws.conversation.boundary;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HandshakeFilterTest {

    @Test
    void anyPortOrNoneForTheLocalhostDefault() {
        var pattern = HandshakeFilter.pattern("http://localhost:*");
        assertTrue(pattern.matcher("http://localhost:5173").matches());
        assertTrue(pattern.matcher("http://localhost").matches());
        assertFalse(pattern.matcher("http://localhost.evil.example").matches());
        assertFalse(pattern.matcher("http://localhost:5173.evil.example").matches());
        assertFalse(pattern.matcher("https://localhost:5173").matches());
    }

    @Test
    void exactOriginsAndWildcardHostParts() {
        assertTrue(HandshakeFilter.pattern("https://portal.example.com").matcher("https://portal.example.com").matches());
        assertFalse(HandshakeFilter.pattern("https://portal.example.com").matcher("https://portal.example.com.evil.io").matches());
        var wildcard = HandshakeFilter.pattern("https://*.example.com");
        assertTrue(wildcard.matcher("https://intranet.example.com").matches());
        assertFalse(wildcard.matcher("https://evil.io/x.example.com").matches());
    }
}
