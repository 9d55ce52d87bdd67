package dev.chatws.conversation.control;

import dev.chatws.config.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What every conversation shares: its configuration, read once, the timers of the resume
 * grace and of unloading, and the threads that commit turns. A conversation is created for every socket that opens; resolving its
 * configuration and a resource (a JNDI lookup) per conversation would cost at every handshake.
 *
 * <p>Application-scoped; immutable after start-up, thread-safe.
 */
@ApplicationScoped
public class ConversationSettings {

    private static final Logger LOG = Logger.getLogger(ConversationSettings.class.getName());

    @Inject
    @ConfigProperty(name = "chat.model", defaultValue = "gpt-4o-mini")
    String defaultModel;

    @Inject
    @ConfigProperty(name = "chat.history.max-tokens", defaultValue = "100000")
    long maxHistoryTokens;

    @Inject
    @ConfigProperty(name = "chat.resume.grace", defaultValue = "30")
    String resumeGrace;

    @Inject
    @ConfigProperty(name = "chat.conversation.unload-after", defaultValue = "60")
    String unloadAfter;

    /** {@code auto}: ask the upstream for a title after the first turn of an untitled conversation (PROTOCOL §10); default {@code off}. */
    @Inject
    @ConfigProperty(name = "chat.titles", defaultValue = "off")
    String titles;

    @Resource
    ManagedScheduledExecutorService scheduler;

    /** Threads of the application's own (not the server's executor, which refuses work while the server quiesces). */
    @Resource
    ManagedThreadFactory threadFactory;

    private ExecutorService background;

    /** Per model: the smaller token budget an upstream's context overflow taught (PROTOCOL §11). */
    private final Map<String, Long> learned = new ConcurrentHashMap<>();

    private Duration grace;
    private Duration unloadDelay;

    @PostConstruct
    void init() {
        background = Executors.newCachedThreadPool(threadFactory);
        grace = Durations.parse(resumeGrace);
        unloadDelay = Durations.parse(unloadAfter);
    }

    /** The model of a request that names none ({@code chat.model}). */
    String defaultModel() {
        return defaultModel;
    }

    /** The token budget of what a turn sends upstream ({@code chat.history.max-tokens}; 0: none). */
    long maxHistoryTokens() {
        return maxHistoryTokens;
    }

    /** The history budget of a turn on {@code model}: the configured one, or less if that model's context taught so (0: none). */
    long budgetFor(String model) {
        Long smaller = learned.get(model);
        return smaller == null ? maxHistoryTokens : maxHistoryTokens > 0 ? Math.min(maxHistoryTokens, smaller) : smaller;
    }

    /** {@code model}'s context holds at most about {@code tokens} of history: later turns on it send no more (logged once per model). */
    void learn(String model, long tokens) {
        if (learned.merge(model, tokens, Math::min) == tokens && learned.size() <= 1024) {
            LOG.info(() -> "The upstream's context for model " + model + " is smaller than the history budget; sending at most about "
                    + tokens + " tokens of history on it from now on");
        }
    }

    /** Whether the server titles conversations itself ({@code chat.titles=auto}). */
    boolean autoTitles() {
        return "auto".equalsIgnoreCase(titles.strip());
    }

    /** How long a turn runs on after its last socket left ({@code chat.resume.grace}). */
    Duration grace() {
        return grace;
    }

    /** How long an idle conversation stays in memory ({@code chat.conversation.unload-after}). */
    Duration unloadDelay() {
        return unloadDelay;
    }

    @PreDestroy
    void stop() {
        // Commits already handed over still finish: they end turns whose sockets wait for them.
        background.shutdown();
    }

    /** Runs {@code task} soon on a managed thread of its own, such as a turn's commit (which may wait on the database). */
    void background(Runnable task) {
        background.execute(task);
    }

    /** Runs {@code task} once after {@code delay}, on the managed scheduler. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return scheduler.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }
}
