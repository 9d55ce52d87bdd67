package dev.chatws.conversation.boundary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the endpoint sees of an upgrade request: the filter's findings, never the client's spoofs or its token. */
class IdentityRequestTest {

    /** An upgrade request with {@code query} and {@code header} (Authorization), as a container would give it. */
    private static HttpServletRequest upgrade(String query, String authorization) {
        return upgrade(query, authorization, null);
    }

    /** … and {@code subprotocols} as the client's Sec-WebSocket-Protocol header (null: none). */
    private static HttpServletRequest upgrade(String query, String authorization, String subprotocols) {
        Map<String, String[]> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            String[] parts = pair.split("=", 2);
            parameters.merge(parts[0], new String[] {parts.length > 1 ? java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8) : ""},
                    (a, b) -> new String[] {a[0], b[0]});
        }
        return (HttpServletRequest) Proxy.newProxyInstance(IdentityRequestTest.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getQueryString" -> query;
                    case "getParameterMap" -> parameters;
                    case "getParameter" -> parameters.containsKey((String) args[0]) ? parameters.get((String) args[0])[0] : null;
                    case "getHeader" -> "Authorization".equalsIgnoreCase((String) args[0]) ? authorization
                            : Subprotocols.HEADER.equalsIgnoreCase((String) args[0]) ? subprotocols : null;
                    case "getHeaders" -> java.util.Collections.enumeration(Subprotocols.HEADER.equalsIgnoreCase((String) args[0]) && subprotocols != null
                            ? java.util.List.of(subprotocols) : java.util.List.<String>of());
                    case "getSession" -> {
                        if (args == null || (Boolean) args[0]) {
                            throw new AssertionError("an HTTP session was created");
                        }
                        yield null;
                    }
                    default -> null;
                });
    }

    @Test
    void theClientsOwnValuesForTheFiltersNamesAndItsTokenAreTakenOut() {
        HttpServletRequest spoofing = upgrade("conversation=conv_a&chatws.user=alice&chatws.client=user%3Aalice&access_token=secret.jwt", null);
        IdentityRequest seen = new IdentityRequest(spoofing, Map.of(HandshakeFilter.CLIENT, "address:10.0.0.7"));
        assertEquals("conv_a", seen.getParameter("conversation"));
        assertNull(seen.getParameter("chatws.user"), "a client cannot name its user");
        assertNull(seen.getParameter("access_token"), "the token goes no further than the filter");
        assertEquals("address:10.0.0.7", seen.getParameter(HandshakeFilter.CLIENT));
        assertArrayEquals(new String[] {"address:10.0.0.7"}, seen.getParameterValues(HandshakeFilter.CLIENT));
        assertEquals("conversation=conv_a&chatws.client=address%3A10.0.0.7", seen.getQueryString());
        assertEquals(java.util.Set.of("conversation", HandshakeFilter.CLIENT), seen.getParameterMap().keySet());
    }

    @Test
    void anUpgradeNeverCreatesAnHttpSession() {
        IdentityRequest seen = new IdentityRequest(upgrade("conversation=conv_a", null), Map.of());
        assertNull(seen.getSession());
        assertNull(seen.getSession(true));
        assertNull(seen.getSession(false));
    }

    @Test
    void aBearerTokenComesFromTheHeaderFirstThenTheParameter() {
        assertEquals("h.e.ader", HandshakeFilter.bearerToken(upgrade("access_token=p.a.ram", "Bearer h.e.ader")));
        assertEquals("p.a.ram", HandshakeFilter.bearerToken(upgrade("access_token=p.a.ram", null)));
        assertEquals("p.a.ram", HandshakeFilter.bearerToken(upgrade("access_token=p.a.ram", "Basic dXNlcg==")));
        assertNull(HandshakeFilter.bearerToken(upgrade("conversation=conv_a", "Bearer ")));
    }

    @Test
    void aBrowsersTokenComesAsABearerSubprotocolAfterTheHeaderBeforeTheParameter() {
        assertEquals("s.u.b", HandshakeFilter.bearerToken(upgrade("access_token=p.a.ram", null, "chat-ws, bearer.s.u.b")));
        assertEquals("h.e.ader", HandshakeFilter.bearerToken(upgrade("", "Bearer h.e.ader", "chat-ws, bearer.s.u.b")));
        assertNull(HandshakeFilter.bearerToken(upgrade("conversation=conv_a", null, "chat-ws")));
    }

    @Test
    void theBearerSubprotocolGoesNoFurtherThanTheFilter() {
        IdentityRequest seen = new IdentityRequest(upgrade("conversation=conv_a", null, "chat-ws, bearer.s.u.b"), Map.of());
        assertEquals("chat-ws", seen.getHeader("sec-websocket-protocol"));
        assertEquals(java.util.List.of("chat-ws"), java.util.Collections.list(seen.getHeaders(Subprotocols.HEADER)));
        assertNull(new IdentityRequest(upgrade("", null, "bearer.s.u.b"), Map.of()).getHeader(Subprotocols.HEADER));
    }

}
