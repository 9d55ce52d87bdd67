package dev.chatws.health.control;

import dev.chatws.upstream.control.UpstreamClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Whether the upstream API answers at all: a {@code GET {url}/models} without credentials, which
 * costs nothing (any HTTP answer, 401 included, means reachable; no answer within 3 s means not).
 * Never a completion. The answer is kept for 30 s, so health probes do not become upstream load.
 * The built-in simulated model is part of this application and always reachable.
 *
 * <p>Application-scoped and thread-safe; a probe blocks its caller for at most 3 s.
 */
@ApplicationScoped
public class UpstreamProbe {

    private static final Logger LOG = Logger.getLogger(UpstreamProbe.class.getName());
    private static final long KEEP_NANOS = Duration.ofSeconds(30).toNanos();
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Inject
    UpstreamClient upstream;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private volatile Result last;

    /** The latest answer, probing again if it is older than 30 s. */
    public Result reachable() {
        Result known = last;
        if (known != null && System.nanoTime() - known.at < KEEP_NANOS) {
            return known;
        }
        synchronized (this) {
            if (last == null || System.nanoTime() - last.at >= KEEP_NANOS) {
                last = probe();
            }
            return last;
        }
    }

    private Result probe() {
        if (upstream.simulated()) {
            return new Result(true, "built-in simulated model", System.nanoTime());
        }
        URI models = URI.create(upstream.baseUri().toString().replaceAll("/+$", "") + "/models");
        try {
            int status = http.send(HttpRequest.newBuilder(models).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            return new Result(true, "HTTP " + status, System.nanoTime());
        } catch (java.io.IOException e) {
            LOG.fine(() -> "The upstream did not answer a probe: " + e.getClass().getSimpleName());
            return new Result(false, "no answer (" + e.getClass().getSimpleName() + ")", System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted", System.nanoTime());
        }
    }

    /** A probe's answer: reachable or not, what was seen, and when (nanoTime). */
    public record Result(boolean up, String detail, long at) {
    }
}
