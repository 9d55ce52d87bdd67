package dev.chatws.conversation.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * A conversation as the store keeps it: its id, when it was created and when a turn last
 * committed to it (what retention counts idleness from), and the user who owns it (null when it
 * was started anonymously), and which branch is active (the seq of its leaf). Its messages are
 * {@link StoredMessage} rows. Table {@code chat_conversation}:
 * <pre>
 * id                        | created    | last_active | owner_name        | active_seq
 * conv_3q2x…(22 base64url)  | 1732550000 | 1732550042  | alice@example.com | 2
 * </pre>
 *
 * <p>A Jakarta Persistence entity (a class, as entities cannot be records); not thread-safe, used
 * inside one entity manager.
 */
@Entity
@Table(name = "chat_conversation", indexes = @Index(name = "chat_conversation_last_active", columnList = "last_active"))
public class StoredConversation {

    @Id
    @Column(length = 64)
    private String id;

    @Column(nullable = false)
    private long created;

    @Column(name = "last_active", nullable = false)
    private long lastActive;

    @Column(name = "owner_name", length = 256)
    private String owner;

    /** At most 200 characters; null: none. */
    @Column(name = "title", length = 1024)
    private String title;

    /** The settings (PROTOCOL §10) as JSON text; null: none. */
    @Lob
    @Column(name = "settings")
    private String settings;

    /** The active leaf ({@link StoredMessage#seq()}); null in a store of v1, where it is the last message. */
    @Column(name = "active_seq")
    private Integer activeSeq;

    protected StoredConversation() {
    }

    public StoredConversation(String id, long created, long lastActive, String owner, int activeSeq) {
        this.id = id;
        this.created = created;
        this.lastActive = lastActive;
        this.owner = owner;
        this.activeSeq = activeSeq;
    }

    public String id() {
        return id;
    }

    public long created() {
        return created;
    }

    public long lastActive() {
        return lastActive;
    }

    /** Sets its title and settings, and marks it active at {@code now}. */
    public void describe(String newTitle, String newSettings, long now) {
        this.title = newTitle;
        this.settings = newSettings;
        this.lastActive = now;
    }

    public String title() {
        return title;
    }

    public String settings() {
        return settings;
    }

    /** The active leaf's seq; -1 if the store does not say (v1: the last message). */
    public int activeSeq() {
        return activeSeq == null ? -1 : activeSeq;
    }

    /** The user who created it; null for a conversation started anonymously. */
    public String owner() {
        return owner;
    }
}
