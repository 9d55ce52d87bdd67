package dev.chatws.conversation.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a WebSocket upgrade on {@code /chat} from a page of another origin with HTTP 403, before
 * any frame (cross-site WebSocket hijacking). Allowed: the server's own origin, and the entries of
 * {@code chat.allowed-origins} (comma-separated; a {@code *} stands for any port or host part, as
 * in {@code http://localhost:*}); unset, the server's own origin and {@code http://localhost:*}. A
 * request without an {@code Origin} header does not come from a browser page and is let through.
 *
 * <p>One instance per application; stateless after start-up, thread-safe.
 */
@WebFilter("/chat")
public class OriginFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(OriginFilter.class.getName());

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
            chain.doFilter(request, response);
            return;
        }
        LOG.info("Refused a WebSocket upgrade from a foreign origin (HTTP 403)");
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
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
