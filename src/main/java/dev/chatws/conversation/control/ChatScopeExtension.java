package dev.chatws.conversation.control;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;

/**
 * The portable extension that adds {@link ChatScoped} and its {@link ChatContext} to the container.
 * The container creates one instance per application; {@link ChatScope} reaches the context
 * through it.
 */
public class ChatScopeExtension implements Extension {

    private final ChatContext context = new ChatContext();

    void addScope(@Observes BeforeBeanDiscovery event) {
        event.addScope(ChatScoped.class, true, false);
    }

    void addContext(@Observes AfterBeanDiscovery event) {
        event.addContext(context);
    }

    ChatContext context() {
        return context;
    }
}
