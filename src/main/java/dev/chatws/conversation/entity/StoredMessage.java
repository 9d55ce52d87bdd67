package dev.chatws.conversation.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/**
 * One committed message of a conversation: its position in the history and its JSON exactly as it
 * is sent upstream. Table {@code chat_message}, keyed by (conversation, position), so two servers
 * can never commit different messages at the same place of one history:
 * <pre>
 * conversation_id | seq | body
 * conv_3q2x…      | 0   | {"role":"user","content":"Hi"}
 * conv_3q2x…      | 1   | {"role":"assistant","content":"Hello!"}
 * </pre>
 *
 * <p>A Jakarta Persistence entity; not thread-safe, used inside one entity manager.
 */
@Entity
@IdClass(StoredMessage.Key.class)
@Table(name = "chat_message")
public class StoredMessage {

    @Id
    @Column(name = "conversation_id", length = 64)
    private String conversationId;

    @Id
    @Column(name = "seq")
    private int seq;

    @Lob
    @Column(name = "body", nullable = false)
    private String body;

    protected StoredMessage() {
    }

    public StoredMessage(String conversationId, int seq, String body) {
        this.conversationId = conversationId;
        this.seq = seq;
        this.body = body;
    }

    public int seq() {
        return seq;
    }

    public String body() {
        return body;
    }

    /** The primary key of {@link StoredMessage}. */
    public static class Key implements Serializable {
        private String conversationId;
        private int seq;

        public Key() {
        }

        public Key(String conversationId, int seq) {
            this.conversationId = conversationId;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && seq == key.seq && Objects.equals(conversationId, key.conversationId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(conversationId, seq);
        }
    }
}
