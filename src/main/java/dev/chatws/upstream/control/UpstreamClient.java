package dev.chatws.upstream.control;

import dev.chatws.config.Durations;
import dev.chatws.upstream.boundary.ChatCompletionsApi;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one upstream client of the application: it resolves the upstream's base URL
 * ({@code chat.upstream.url}, else the built-in simulated model of this same WAR, reached over
 * loopback HTTP), builds the one {@link ChatCompletionsApi} with the bearer token from
 * {@code chat.upstream.api-key}, and runs every {@link UpstreamCall} on a thread of its own so
 * that no WebSocket thread ever waits on the upstream, at most {@code chat.upstream.max-concurrent}
 * turns' calls at once (a bulkhead: over it a call is refused, not queued) and beside them a
 * sixteenth as many on the server's own behalf ({@link #startSpare}).
 *
 * <p>Application-scoped and thread-safe. The API key is held here only: it is never logged and
 * never part of anything a client receives.
 */
@ApplicationScoped
public class UpstreamClient implements Upstream {

    private static final Logger LOG = Logger.getLogger(UpstreamClient.class.getName());

    /** Where the simulated model answers, under the application's context path. */
    public static final String SIMULATOR_PATH = "/simulator/v1";

    @Inject
    @ConfigProperty(name = "chat.upstream.url")
    Optional<String> url;

    @Inject
    @ConfigProperty(name = "chat.upstream.api-key")
    Optional<String> apiKey;

    @Inject
    @ConfigProperty(name = "http.port", defaultValue = "9080")
    int httpPort;

    @Inject
    @ConfigProperty(name = "chat.upstream.connect-timeout", defaultValue = "10")
    String connectTimeout;

    @Inject
    @ConfigProperty(name = "chat.upstream.first-chunk-timeout", defaultValue = "60")
    String firstChunkTimeout;

    @Inject
    @ConfigProperty(name = "chat.upstream.idle-timeout", defaultValue = "60")
    String idleTimeout;

    @Inject
    @ConfigProperty(name = "chat.upstream.turn-timeout", defaultValue = "PT10M")
    String turnTimeout;

    @Inject
    @ConfigProperty(name = "chat.upstream.max-concurrent", defaultValue = "1024")
    int maxConcurrent;

    @Inject
    @ConfigProperty(name = "chat.upstream.breaker.failures", defaultValue = "5")
    int breakerFailures;

    @Inject
    @ConfigProperty(name = "chat.upstream.breaker.open", defaultValue = "30")
    String breakerOpen;

    @Inject
    @ConfigProperty(name = "chat.upstream.retries", defaultValue = "2")
    int retries;

    @Inject
    @ConfigProperty(name = "chat.upstream.retry-delay", defaultValue = "0.5")
    String retryDelay;

    @Resource
    ManagedThreadFactory threadFactory;

    @Inject
    Instance<OpenTelemetry> openTelemetry;

    private String contextPath = "";
    private CallContext calls;
    private ExecutorService readers;
    private ScheduledExecutorService scheduler;
    private Semaphore permits;
    private Semaphore spares;
    private CircuitBreaker breaker;
    private final LongAdder retried = new LongAdder();

    /** Builds the client once the application's context path is known: at start-up. */
    void started(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        contextPath = context.getContextPath();
        URI base = baseUri();
        Duration firstChunk = Durations.parse(firstChunkTimeout);
        Duration idle = Durations.parse(idleTimeout);
        ChatCompletionsApi api = new ChatCompletionsApi(base, apiKey, Durations.parse(connectTimeout));
        readers = readerThreads(threadFactory);
        scheduler = Executors.newSingleThreadScheduledExecutor(threadFactory);
        permits = new Semaphore(maxConcurrent);
        spares = new Semaphore(spares(maxConcurrent));
        breaker = new CircuitBreaker(breakerFailures, Durations.parse(breakerOpen).toNanos(), System::nanoTime);
        OpenTelemetry otel = openTelemetry.isResolvable() ? openTelemetry.get() : OpenTelemetry.noop();
        calls = new CallContext(api, new UpstreamTracing(otel, api.uri()), readers,
                new Watchdog(firstChunk, idle, Durations.parse(turnTimeout), scheduler, readers),
                new RetryPolicy(retries, Durations.parse(retryDelay), Duration.ofSeconds(30)), retried, breaker);
        LOG.info(() -> "Upstream: " + (url.isPresent() ? "the configured chat.upstream.url" : "the built-in simulated model at " + base));
    }

    /**
     * The threads that read upstream streams, one per call: virtual threads on Java 24 and later
     * (a reader sleeps between chunks, and a parked virtual thread costs a few hundred bytes of
     * heap, not a stack; from 24 on, waiting inside {@code synchronized}, as Liberty's blocking
     * WebSocket write does, no longer holds its carrier), else managed platform threads.
     */
    static ExecutorService readerThreads(ManagedThreadFactory platform) {
        if (Runtime.version().feature() >= 24) {
            try {
                return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            } catch (ReflectiveOperationException e) {
                LOG.warning(() -> "No virtual threads (" + e + "); the upstream readers are platform threads");
            }
        }
        return Executors.newCachedThreadPool(platform);
    }

    /** Starts the call on a reader thread of its own (at most {@code chat.upstream.max-concurrent} at once). */
    @Override
    public UpstreamCall start(byte[] body, boolean streaming, UpstreamListener listener) {
        return launch(permits, body, streaming, listener);
    }

    /**
     * Starts a call on the server's own behalf on a place of its own: such calls never take the
     * places of {@code chat.upstream.max-concurrent}, which are the turns' (at 1,024 streams, titles
     * holding those places got a client's next turn refused); they have one sixteenth as many
     * (at least one), and one that finds them all taken is not started.
     */
    @Override
    public Optional<Upstream.Call> startSpare(byte[] body, UpstreamListener listener) {
        try {
            return Optional.of(launch(spares, body, false, listener));
        } catch (AtCapacityException | CircuitOpenException e) {
            return Optional.empty();
        }
    }

    /** Takes one of {@code places} for the call and starts it on a reader thread; the place is given back when it ends. */
    private UpstreamCall launch(Semaphore places, byte[] body, boolean streaming, UpstreamListener listener) {
        if (!places.tryAcquire()) {
            throw new AtCapacityException();
        }
        if (!breaker.allow()) {
            places.release();
            throw new CircuitOpenException();
        }
        UpstreamCall call = new UpstreamCall(calls, body, streaming, listener, places::release);
        try {
            // The caller's OpenTelemetry context (a turn's span) goes with the call: its HTTP request is the span's child.
            readers.execute(Context.current().wrap(call));
        } catch (RuntimeException e) {
            places.release();
            throw e;
        }
        return call;
    }

    /** How many calls on the server's own behalf may run at once, beside {@code max} turns' calls. */
    static int spares(int max) {
        return Math.max(1, max / 16);
    }

    /** Whether the circuit breaker is open or half-open (the upstream kept failing). */
    public boolean breakerOpen() {
        return breaker != null && breaker.state() != CircuitBreaker.State.CLOSED;
    }

    /** Upstream requests sent again after a retryable failure, since start. */
    public long retries() {
        return retried.sum();
    }

    /** Whether the upstream is the built-in simulated model (no {@code chat.upstream.url}). */
    public boolean simulated() {
        return url.filter(u -> !u.isBlank()).isEmpty();
    }

    /** The base URL of the upstream API ({@code …/v1}). */
    public URI baseUri() {
        String base = url.filter(u -> !u.isBlank())
                .orElse("http://localhost:" + httpPort + contextPath + SIMULATOR_PATH);
        try {
            return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("chat.upstream.url is not a valid URL");
        }
    }

    @PreDestroy
    void stop() {
        if (readers != null) {
            readers.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
