package dev.chatws.conversation.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opens, enters and ends chat sessions: the lifetime of every {@link ChatScoped} bean. A
 * conversation id is {@code conv_} followed by 128 bits from a {@link SecureRandom}, base64url.
 *
 * <p>Application-scoped and thread-safe.
 */
@ApplicationScoped
public class ChatScope {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ID_ENCODER = Base64.getUrlEncoder().withoutPadding();

    @Inject
    ChatScopeExtension extension;

    /** Starts a new conversation and returns its id. */
    public String open() {
        byte[] bits = new byte[16];
        String id;
        do {
            RANDOM.nextBytes(bits);
            id = "conv_" + ID_ENCODER.encodeToString(bits);
        } while (!extension.context().open(id));
        return id;
    }

    /**
     * The id as logs show it: enough to tell conversations apart, too little to join one (the
     * whole id is what lets a socket attach).
     */
    public static String redact(String id) {
        return id == null || id.length() <= 9 ? id : id.substring(0, 9) + "…";
    }

    /** Whether conversation {@code id} exists. */
    public boolean exists(String id) {
        return id != null && extension.context().exists(id);
    }

    /** Runs {@code task} inside conversation {@code id}: its {@link ChatScoped} beans are the current ones. */
    public void run(String id, Runnable task) {
        extension.context().run(id, task);
    }

    /** The id of the conversation the current thread is inside. */
    public String currentId() {
        return extension.context().currentId();
    }

    /** Ends conversation {@code id}: its beans are destroyed. */
    public void end(String id) {
        extension.context().close(id);
    }

    /**
     * Ends every conversation when the application stops, before any application-scoped bean (the
     * upstream client among them) is destroyed: turns in flight end cancelled, not broken.
     */
    void endAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
        extension.context().ids().forEach(this::end);
    }
}
