package dev.chatws.health.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * {@code /health/live}: up while the application runs and can answer. It depends on nothing
 * outside the server, so a database or upstream outage never gets the server restarted (that is
 * readiness's business).
 *
 * <p>Stateless, thread-safe.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("chat-ws");
    }
}
