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
 * One committed message of a conversation: its place in commit order ({@code seq}), the message it
 * follows ({@code parent_seq}: the history is a tree of branches, PROTOCOL §8), and its JSON exactly
 * as it is sent upstream. Table {@code chat_message}, keyed by (conversation, seq), so two servers
 * can never commit different messages at the same place:
 * <pre>
 * conversation_id | seq | parent_seq | body                                      | request
 * conv_3q2x…      | 0   | -1         | {"role":"user","content":"Hi"}            | {"model":"m"}
 * conv_3q2x…      | 1   | 0          | {"role":"assistant","content":"Hello!"}   |
 * conv_3q2x…      | 2   | 0          | {"role":"assistant","content":"Hey!"}     |   (a regenerate)
 * </pre>
 * A store of v1 has no {@code parent_seq} or {@code request}: the columns are added on start and
 * its rows, null there, read as one branch in {@code seq} order.
 *
 * <p>A Jakarta Persistence entity, read through it; its rows are written by {@code TurnRows} (one
 * multi-row INSERT per turn). Not thread-safe, used inside one entity manager.
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

    /** The message it follows in its branch; -1 for a first message; null in rows of v1, where it is the one before. */
    @Column(name = "parent_seq")
    private Integer parentSeq;

    /** On a turn's last request message: the turn's request members but {@code messages} (for a regenerate); else null. */
    @Lob
    @Column(name = "request")
    private String request;

    protected StoredMessage() {
    }

    /** Its place in commit order, unique in its conversation: the {@code msg_…} id is made of it. */
    public int seq() {
        return seq;
    }

    /** The message it follows ({@link #seq} of it), -1 for none; a v1 row follows the one before it. */
    public int parentSeq() {
        return parentSeq == null ? seq - 1 : parentSeq;
    }

    public String body() {
        return body;
    }

    /** The request members of the turn it ends, or null. */
    public String request() {
        return request;
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
