package dev.chatws.conversation.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks a WebSocket upgrade on {@code /chat} before the endpoint sees it, and tells the endpoint
 * who the client is.
 *
 * <p>Origin: refuses an upgrade from a page of another origin with HTTP 403, before any frame
 * (cross-site WebSocket hijacking). Allowed: the server's own origin, and the entries of
 * {@code chat.allowed-origins} (comma-separated; a {@code *} stands for any port or host part, as
 * in {@code http://localhost:*}); unset, the server's own origin and {@code http://localhost:*}. A
 * request without an {@code Origin} header does not come from a browser page and is let through.
 *
 * <p>Client: the request goes on with the request parameter {@value #CLIENT} set to the client's
 * key for per-client limits: {@code user:NAME} for an authenticated user, else
 * {@code address:IP} (a value the client sent under that name is replaced). The WebSocket API
 * shows an endpoint neither the client's address nor request attributes, but it does show the
 * upgrade request's parameters.
 *
 * <p>One instance per application; stateless after start-up, thread-safe.
 */
@WebFilter("/chat")
public class HandshakeFilter extends HttpFilter {

    /** The request parameter that carries the client's key to the endpoint. */
    static final String CLIENT = "chatws.client";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    @Inject
    @ConfigProperty(name = "chat.allowed-origins")
    Optional<List<String>> allowedOrigins;

    private transient List<Pattern> allowed;

    @Override
    public void init() {
        allowed = allowedOrigins.orElse(List.of("http://localhost:*")).stream()
                .map(String::strip).filter(origin -> !origin.isEmpty())
                .map(origin -> pattern(origin.toLowerCase(Locale.ROOT)))
                .toList();
    }

    /** {@code http://host:*} matches any port or none; any other {@code *} any host or port part. */
    static Pattern pattern(String origin) {
        if (origin.endsWith(":*")) {
            return Pattern.compile(Pattern.quote(origin.substring(0, origin.length() - 2)) + "(:[0-9]+)?");
        }
        return Pattern.compile(Pattern.quote(origin).replace("*", "\\E[^/]*\\Q"));
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String origin = request.getHeader("Origin");
        if (origin == null || allowed(origin.toLowerCase(Locale.ROOT), request)) {
            chain.doFilter(withClient(request, clientOf(request)), response);
            return;
        }
        LOG.info("Refused a WebSocket upgrade from a foreign origin (HTTP 403)");
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
    }

    /** The client's key: the authenticated user, else the address the connection comes from. */
    static String clientOf(HttpServletRequest request) {
        Principal user = request.getUserPrincipal();
        return user != null ? "user:" + user.getName() : "address:" + request.getRemoteAddr();
    }

    /** {@code request} with the parameter {@value #CLIENT} set to {@code client}, and only to it. */
    static HttpServletRequest withClient(HttpServletRequest request, String client) {
        return new HttpServletRequestWrapper(request) {
            @Override
            public String getParameter(String name) {
                return CLIENT.equals(name) ? client : super.getParameter(name);
            }

            @Override
            public Map<String, String[]> getParameterMap() {
                Map<String, String[]> parameters = new LinkedHashMap<>(super.getParameterMap());
                parameters.put(CLIENT, new String[] {client});
                return Collections.unmodifiableMap(parameters);
            }

            @Override
            public Enumeration<String> getParameterNames() {
                return Collections.enumeration(getParameterMap().keySet());
            }

            @Override
            public String[] getParameterValues(String name) {
                return CLIENT.equals(name) ? new String[] {client} : super.getParameterValues(name);
            }

            @Override
            public String getQueryString() {
                String others = super.getQueryString() == null ? "" : Arrays.stream(super.getQueryString().split("&"))
                        .filter(pair -> !pair.startsWith(CLIENT + "=") && !pair.equals(CLIENT))
                        .map(pair -> pair + "&").collect(Collectors.joining());
                return others + CLIENT + "=" + URLEncoder.encode(client, StandardCharsets.UTF_8);
            }
        };
    }

    private boolean allowed(String origin, HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host != null && origin.equals(request.getScheme().toLowerCase(Locale.ROOT) + "://" + host.toLowerCase(Locale.ROOT))) {
            return true;
        }
        for (Pattern pattern : allowed) {
            if (pattern.matcher(origin).matches()) {
                return true;
            }
        }
        return false;
    }
}
