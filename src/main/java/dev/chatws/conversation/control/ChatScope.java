package dev.chatws.conversation.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

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

    /** What a conversation id looks like; anything else is not looked up at all. */
    private static final Pattern ID = Pattern.compile("conv_[A-Za-z0-9_-]{22}");

    @Inject
    ChatScopeExtension extension;

    @Inject
    ConversationStore store;

    @Inject
    TurnLedger ledger;

    /** Starts a new conversation and returns its id. */
    public String open() {
        byte[] bits = new byte[16];
        String id;
        do {
            RANDOM.nextBytes(bits);
            id = "conv_" + ID_ENCODER.encodeToString(bits);
        } while (!extension.context().open(id, null));
        return id;
    }

    /**
     * Makes conversation {@code id} current-able: true if it is in memory, or is in the store and
     * has now been loaded (its {@link Conversation} starts from the stored history); false if no
     * such conversation exists.
     *
     * @throws StoreException if the store cannot be read
     */
    public boolean resume(String id) {
        if (!isWellFormed(id)) {
            return false;
        }
        if (extension.context().exists(id)) {
            return true;
        }
        Optional<HistoryStore.Stored> stored = store.load(id);
        stored.ifPresent(found -> extension.context().open(id, found));
        if (stored.isEmpty() && ledger.shared()) {
            // A new conversation whose first turn runs on another server: served here too, from that turn's record.
            Optional<TurnRecord> first = ledger.pending(id);
            first.ifPresent(record -> extension.context().open(id, record));
            return first.isPresent() || extension.context().exists(id);
        }
        return stored.isPresent() || extension.context().exists(id);
    }

    /** Whether {@code id} looks like a conversation id at all. */
    private static boolean isWellFormed(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The stored conversation the current one was loaded from, if it was. */
    Optional<HistoryStore.Stored> stored() {
        return extension.context().seed() instanceof HistoryStore.Stored stored ? Optional.of(stored) : Optional.empty();
    }

    /** The record of the first turn, running on another server, of the current conversation, if it was opened from one. */
    Optional<TurnRecord> pending() {
        return extension.context().seed() instanceof TurnRecord record ? Optional.of(record) : Optional.empty();
    }

    /**
     * The id as logs show it: enough to tell conversations apart, too little to join one (the
     * whole id is what lets a socket attach).
     */
    public static String redact(String id) {
        return id == null || id.length() <= 9 ? id : id.substring(0, 9) + "…";
    }

    /** Whether conversation {@code id} is in memory. */
    public boolean exists(String id) {
        return id != null && extension.context().exists(id);
    }

    /** Runs {@code task} inside conversation {@code id}: its {@link ChatScoped} beans are the current ones. */
    public void run(String id, Runnable task) {
        extension.context().run(id, task);
    }

    /** Calls {@code task} inside conversation {@code id} and returns what it returns. */
    public <T> T call(String id, Supplier<T> task) {
        List<T> result = new ArrayList<>(1);
        extension.context().run(id, () -> result.add(task.get()));
        return result.get(0);
    }

    /** The ids of the conversations in memory. */
    public java.util.Set<String> ids() {
        return java.util.Set.copyOf(extension.context().ids());
    }

    /** The id of the conversation the current thread is inside. */
    public String currentId() {
        return extension.context().currentId();
    }

    /** Ends conversation {@code id}: its beans are destroyed. */
    public void end(String id) {
        extension.context().close(id);
    }

    /** Ends every conversation: their beans are destroyed (a turn in flight ends cancelled, not broken). */
    public void endAll() {
        extension.context().ids().forEach(this::end);
    }

    /**
     * Ends every conversation still open when the application's beans are destroyed, before any
     * application-scoped bean (the upstream client among them) is.
     */
    void endAll(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
        endAll();
    }
}
