package dev.chatws.conversation.boundary;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The upgrade request as the endpoint sees it: the handshake filter's findings set as request
 * parameters ({@code chatws.client}, {@code chatws.user}, {@code chatws.auth}), and the client's
 * own values for those names and its {@code access_token} taken out, so the endpoint can trust
 * the first and never holds the second. (The WebSocket API shows an endpoint the upgrade
 * request's parameters, but not its attributes or the client's address.)
 *
 * <p>It never creates an HTTP session: chat-ws keeps nothing in one, yet Liberty asks every
 * upgrade request for a session (to hand it to the WebSocket session) and the server would keep
 * one per handshake, with its {@code JSESSIONID} cookie, for the session timeout (30 minutes by
 * default) after the socket is gone. An existing session of this application is still returned.
 *
 * <p>Immutable; one per upgrade request.
 */
final class IdentityRequest extends HttpServletRequestWrapper {

    /** Parameter names the client may not set: the filter's, and the token. */
    private static final String OURS = "chatws.";
    static final String ACCESS_TOKEN = "access_token";

    private final Map<String, String[]> parameters;
    private final String query;

    IdentityRequest(HttpServletRequest request, Map<String, String> set) {
        super(request);
        Map<String, String[]> kept = new LinkedHashMap<>();
        request.getParameterMap().forEach((name, values) -> {
            if (!dropped(name)) {
                kept.put(name, values);
            }
        });
        set.forEach((name, value) -> kept.put(name, new String[] {value}));
        this.parameters = Collections.unmodifiableMap(kept);
        String original = request.getQueryString() == null ? "" : request.getQueryString();
        String others = Arrays.stream(original.split("&"))
                .filter(pair -> !pair.isEmpty() && !dropped(decodedName(pair)))
                .collect(Collectors.joining("&"));
        String added = set.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        this.query = others.isEmpty() ? added : added.isEmpty() ? others : others + "&" + added;
    }

    /** The client's subprotocols without its {@code bearer.} token: the container and the endpoint never see it. */
    @Override
    public String getHeader(String name) {
        if (!Subprotocols.HEADER.equalsIgnoreCase(name)) {
            return super.getHeader(name);
        }
        List<String> offered = offered();
        return offered.isEmpty() ? null : String.join(", ", offered);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (!Subprotocols.HEADER.equalsIgnoreCase(name)) {
            return super.getHeaders(name);
        }
        List<String> offered = offered();
        return Collections.enumeration(offered.isEmpty() ? List.of() : List.of(String.join(", ", offered)));
    }

    private List<String> offered() {
        return Subprotocols.withoutBearer(super.getHeaders(Subprotocols.HEADER));
    }

    private static boolean dropped(String name) {
        return name.startsWith(OURS) || ACCESS_TOKEN.equals(name);
    }

    private static String decodedName(String pair) {
        int equals = pair.indexOf('=');
        return java.net.URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
    }

    /** The request's existing HTTP session, or null: never a new one. */
    @Override
    public HttpSession getSession() {
        return super.getSession(false);
    }

    /** The request's existing HTTP session, or null, whatever {@code create} says. */
    @Override
    public HttpSession getSession(boolean create) {
        return super.getSession(false);
    }

    @Override
    public String getParameter(String name) {
        String[] values = parameters.get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters;
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters.keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = parameters.get(name);
        return values == null ? null : values.clone();
    }

    @Override
    public String getQueryString() {
        return query.isEmpty() ? null : query;
    }
}
