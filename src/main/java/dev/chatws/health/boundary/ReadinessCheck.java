package dev.chatws.health.boundary;

import dev.chatws.conversation.control.ConversationStore;
import dev.chatws.conversation.control.StoreException;
import dev.chatws.health.control.UpstreamProbe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /health/ready}: up when the conversation store answers a trivial query and the upstream
 * API answers HTTP at all ({@link UpstreamProbe}, cached 30 s). Down, a load balancer sends this
 * server no new sockets; the ones it has keep working as far as they can.
 *
 * <p>Application-scoped and thread-safe; the store's answer is cached for 5 s.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private static final long KEEP_NANOS = Duration.ofSeconds(5).toNanos();

    @Inject
    ConversationStore store;

    @Inject
    UpstreamProbe upstream;

    private volatile long storeCheckedAt;
    private volatile boolean storeUp;

    @Override
    public HealthCheckResponse call() {
        boolean storeAnswers = storeAnswers();
        UpstreamProbe.Result probe = upstream.reachable();
        return HealthCheckResponse.named("chat-ws")
                .status(storeAnswers && probe.up())
                .withData("store", storeAnswers ? "answers" : "does not answer")
                .withData("upstream", probe.detail())
                .build();
    }

    private boolean storeAnswers() {
        if (System.nanoTime() - storeCheckedAt >= KEEP_NANOS) {
            try {
                store.ping();
                storeUp = true;
            } catch (StoreException e) {
                storeUp = false;
            }
            storeCheckedAt = System.nanoTime();
        }
        return storeUp;
    }
}
