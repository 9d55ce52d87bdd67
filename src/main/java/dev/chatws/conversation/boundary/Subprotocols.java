package dev.chatws.conversation.boundary;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The subprotocols of a WebSocket upgrade (PROTOCOL §7): a browser cannot set an
 * {@code Authorization} header on a WebSocket, so it offers {@code chat-ws} and
 * {@code bearer.<token>} in {@code Sec-WebSocket-Protocol}; the server selects {@code chat-ws}
 * (the endpoint lists only that one) and takes the token from the other.
 *
 * <p>Stateless and thread-safe.
 */
final class Subprotocols {

    static final String HEADER = "Sec-WebSocket-Protocol";
    /** The subprotocol the server selects. */
    static final String CHAT_WS = "chat-ws";
    private static final String BEARER = "bearer.";

    private Subprotocols() {
    }

    /** The token of the first {@code bearer.<token>} subprotocol offered; null if none. */
    static String bearer(Enumeration<String> headers) {
        for (String protocol : all(headers)) {
            if (protocol.regionMatches(true, 0, BEARER, 0, BEARER.length()) && protocol.length() > BEARER.length()) {
                return protocol.substring(BEARER.length());
            }
        }
        return null;
    }

    /** Every subprotocol offered but the {@code bearer.} ones, in order. */
    static List<String> withoutBearer(Enumeration<String> headers) {
        List<String> kept = new ArrayList<>();
        for (String protocol : all(headers)) {
            if (!protocol.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                kept.add(protocol);
            }
        }
        return kept;
    }

    private static List<String> all(Enumeration<String> headers) {
        List<String> protocols = new ArrayList<>();
        for (String header : headers == null ? Collections.<String>emptyList() : Collections.list(headers)) {
            for (String protocol : header.split(",")) {
                if (!protocol.isBlank()) {
                    protocols.add(protocol.strip());
                }
            }
        }
        return protocols;
    }
}
