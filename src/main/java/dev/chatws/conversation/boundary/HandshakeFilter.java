package dev.chatws.conversation.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import dev.chatws.auth.control.Authentication;
import java.util.LinkedHashMap;
import java.util.Map;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

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
 * <p>Identity: a bearer token (the {@code Authorization} header; from browsers the subprotocol
 * {@code bearer.<token>} beside {@code chat-ws} in {@code Sec-WebSocket-Protocol}; from older
 * clients the {@code access_token} parameter) is verified ({@link Authentication}); the request
 * goes on as an {@link IdentityRequest} that tells the
 * endpoint the user ({@value #USER}), whether to refuse the socket with 4401 ({@value #AUTH}), and
 * the client's key for per-client limits ({@value #CLIENT}: {@code user:NAME}, else
 * {@code address:IP}); the token itself goes no further.
 *
 * <p>Stop: when the application stops, the filter's {@link #destroy()} ends every conversation
 * and lets its sockets go with 1001, before the WebSocket container drops them.
 *
 * <p>One instance per application; stateless after start-up, thread-safe.
 */
@WebFilter("/chat")
public class HandshakeFilter extends HttpFilter {

    /** The request parameter that carries the client's key to the endpoint. */
    static final String CLIENT = "chatws.client";
    /** The request parameter that carries the authenticated user's name to the endpoint. */
    static final String USER = "chatws.user";
    /** The request parameter that says {@code refused} when the socket is to be closed with 4401. */
    static final String AUTH = "chatws.auth";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    /** How long the application's stop waits for its sockets to take their last frames and close. */
    private static final Duration GOING_AWAY = Duration.ofSeconds(ShutdownHook.GOING_AWAY_SECONDS);

    @Inject
    Authentication authentication;

    @Inject
    Sockets sockets;

    private transient List<Pattern> allowed;

    @Override
    public void init() {
        // Read here rather than injected: some servers (Payara) inject a filter's fields themselves
        // and cannot give it a parameterized type such as Optional<List<String>>.
        Optional<List<String>> allowedOrigins = ConfigProvider.getConfig().getOptionalValues("chat.allowed-origins", String.class);
        allowed = allowedOrigins.orElse(List.of("http://localhost:*")).stream()
                .map(String::strip).filter(origin -> !origin.isEmpty())
                .map(origin -> pattern(origin.toLowerCase(Locale.ROOT)))
                .toList();
    }

    /**
     * The application stops (undeploy, server stop): its conversations end and their sockets are
     * closed with 1001 here, because filters are destroyed before the servlet context's listeners
     * are told (Servlet specification), and the WebSocket container's listener would otherwise drop
     * the sockets first, without a close frame. Waits up to {@value ShutdownHook#GOING_AWAY_SECONDS} s. (On
     * {@code server stop}, {@link ShutdownHook} has done this already, earlier.)
     */
    @Override
    public void destroy() {
        try {
            sockets.goAwayAll(GOING_AWAY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            chain.doFilter(identify(request), response);
            return;
        }
        LOG.info("Refused a WebSocket upgrade from a foreign origin (HTTP 403)");
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
    }

    /**
     * The request with what the endpoint is to know: the user a bearer token (header
     * {@code Authorization: Bearer …}, else parameter {@code access_token}) names, or that the
     * socket is refused (a token that does not verify; no token where one is required); and the
     * client's key for its limits, {@code user:NAME} or {@code address:IP}.
     */
    private HttpServletRequest identify(HttpServletRequest request) {
        Map<String, String> found = new LinkedHashMap<>();
        String token = bearerToken(request);
        Optional<String> user = token == null ? Optional.empty() : authentication.verify(token);
        if (user.isPresent()) {
            found.put(USER, user.get());
            found.put(CLIENT, "user:" + user.get());
        } else {
            found.put(CLIENT, "address:" + request.getRemoteAddr());
            if (token != null || authentication.required()) {
                found.put(AUTH, "refused");
            }
        }
        return new IdentityRequest(request, found);
    }

    /**
     * The bearer token of the request: the {@code Authorization} header's, else the
     * {@code bearer.<token>} subprotocol's, else the {@code access_token} parameter's; null if none.
     */
    static String bearerToken(HttpServletRequest request) {
        String header = Authentication.bearer(request.getHeader("Authorization"));
        if (header != null) {
            return header;
        }
        String offered = Subprotocols.bearer(request.getHeaders(Subprotocols.HEADER));
        if (offered != null) {
            return offered;
        }
        String parameter = request.getParameter(IdentityRequest.ACCESS_TOKEN);
        return parameter == null || parameter.isBlank() ? null : parameter.strip();
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
