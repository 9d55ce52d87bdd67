package dev.chatws.conversation.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * A conversation as the store keeps it: its id, when it was created and when a turn last
 * changed (a commit, edit, switch or update: its {@code updated}, and what retention counts
 * idleness from), the user who owns it (null when it was started anonymously), which branch is
 * active (the seq of its leaf) and how long that path is, its title and settings, the model of its
 * last committed turn and the tokens its turns used. Its messages are {@link StoredMessage} rows.
 * Table {@code chat_conversation}:
 * <pre>
 * id                        | created    | last_active | owner_name        | active_seq | path_length | model | prompt_tokens …
 * conv_3q2x…(22 base64url)  | 1732550000 | 1732550042  | alice@example.com | 2          | 2           | gpt-x | 120 …
 * </pre>
 * ({@code last_active} in seconds, {@code updated_ms} the same instant in milliseconds.)
 * A user's list (PROTOCOL §12) reads the index on (owner, updated_ms, id) backwards, so a page
 * costs the same however many conversations the user has. Columns added after v1 are nullable:
 * the store adds them to an existing table on start.
 *
 * <p>A Jakarta Persistence entity (a class, as entities cannot be records); not thread-safe, used
 * inside one entity manager.
 */
@Entity
@Table(name = "chat_conversation", indexes = {
        @Index(name = "chat_conversation_last_active", columnList = "last_active"),
        @Index(name = "chat_conversation_owner_updated", columnList = "owner_name, updated_ms, id")})
public class StoredConversation {

    @Id
    @Column(length = 64)
    private String id;

    @Column(nullable = false)
    private long created;

    @Column(name = "last_active", nullable = false)
    private long lastActive;

    /** When it last changed, in epoch milliseconds (what a list orders by); null in a store from before it was kept (filled in on start). */
    @Column(name = "updated_ms")
    private Long updatedMillis;

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

    /** How many messages the active path has; null in a store from before it was kept (filled in on start). */
    @Column(name = "path_length")
    private Integer pathLength;

    /** The model of the last committed turn; null before one. */
    @Column(name = "model", length = 256)
    private String model;

    @Column(name = "prompt_tokens")
    private Long promptTokens;

    @Column(name = "completion_tokens")
    private Long completionTokens;

    @Column(name = "cached_tokens")
    private Long cachedTokens;

    @Column(name = "reasoning_tokens")
    private Long reasoningTokens;

    protected StoredConversation() {
    }

    /** A new conversation, last changed at {@code now} (epoch milliseconds). */
    public StoredConversation(String id, long created, long now, String owner, int activeSeq) {
        this.id = id;
        this.created = created;
        this.lastActive = now / 1000;
        this.updatedMillis = now;
        this.owner = owner;
        this.activeSeq = activeSeq;
        this.pathLength = 0;
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

    /** Takes in a first commit: the active path's length, the turn's model and the tokens it used. */
    public void committed(int length, String turnModel, TokenUsage usage) {
        this.pathLength = length;
        this.model = turnModel;
        this.promptTokens = usage.prompt();
        this.completionTokens = usage.completion();
        this.cachedTokens = usage.cached();
        this.reasoningTokens = usage.reasoning();
    }

    /** Sets its title and settings, and marks it changed at {@code now} (epoch milliseconds). */
    public void describe(String newTitle, String newSettings, long now) {
        this.title = newTitle;
        this.settings = newSettings;
        this.lastActive = now / 1000;
        this.updatedMillis = now;
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

    /** How many messages its active path has; -1 if the store does not know yet. */
    public int pathLength() {
        return pathLength == null ? -1 : pathLength;
    }

    /** The model of its last committed turn; null before one. */
    public String model() {
        return model;
    }

    /** The tokens its committed turns used. */
    public TokenUsage usage() {
        return new TokenUsage(value(promptTokens), value(completionTokens), value(cachedTokens), value(reasoningTokens));
    }

    private static long value(Long count) {
        return count == null ? 0 : count;
    }
}
