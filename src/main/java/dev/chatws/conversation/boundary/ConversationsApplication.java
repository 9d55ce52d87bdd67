package dev.chatws.conversation.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The conversations' HTTP API (PROTOCOL §12), under {@code /api}: {@code /api/conversations} and
 * {@code /api/usage}. It holds only its own resources, so other JAX-RS applications of the WAR
 * stay separate.
 */
@ApplicationPath("/api")
public class ConversationsApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ConversationsResource.class, UsageResource.class, ApiExceptions.class);
    }
}
