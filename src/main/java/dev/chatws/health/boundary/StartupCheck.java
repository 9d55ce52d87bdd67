package dev.chatws.health.boundary;

import dev.chatws.conversation.control.ConversationStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * {@code /health/started}: up once the conversation store has answered since start (it connects
 * in the background as the application starts, creating its tables if missing).
 *
 * <p>Application-scoped and thread-safe.
 */
@Startup
@ApplicationScoped
public class StartupCheck implements HealthCheck {

    @Inject
    ConversationStore store;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("chat-ws").status(store.connected()).withData("store", store.connected() ? "connected" : "connecting").build();
    }
}
