package dev.chatws.conversation.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/**
 * A conversation as the store keeps it: its id, when it was created and when a turn last
 * committed to it (what retention counts idleness from). Its messages are {@link StoredMessage}
 * rows. Table {@code chat_conversation}:
 * <pre>
 * id                        | created    | last_active
 * conv_3q2x…(22 base64url)  | 1732550000 | 1732550042
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

    protected StoredConversation() {
    }

    public StoredConversation(String id, long created, long lastActive) {
        this.id = id;
        this.created = created;
        this.lastActive = lastActive;
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

    public void touch(long epochSecond) {
        lastActive = epochSecond;
    }
}
