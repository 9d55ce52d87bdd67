package dev.chatws.conversation.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The tokens a user's committed turns used, over all of the user's conversations (deleted ones
 * included, until the user's erase-all). Table {@code chat_user_usage}, one row per user; each
 * commit adds its turn's usage in the same transaction:
 * <pre>
 * owner_name        | prompt_tokens | completion_tokens | cached_tokens | reasoning_tokens
 * alice@example.com | 1200          | 480               | 640           | 0
 * </pre>
 *
 * <p>A Jakarta Persistence entity; not thread-safe, used inside one entity manager.
 */
@Entity
@Table(name = "chat_user_usage")
public class StoredUsage {

    @Id
    @Column(name = "owner_name", length = 256)
    private String owner;

    @Column(name = "prompt_tokens", nullable = false)
    private long promptTokens;

    @Column(name = "completion_tokens", nullable = false)
    private long completionTokens;

    @Column(name = "cached_tokens", nullable = false)
    private long cachedTokens;

    @Column(name = "reasoning_tokens", nullable = false)
    private long reasoningTokens;

    protected StoredUsage() {
    }

    public StoredUsage(String owner, TokenUsage usage) {
        this.owner = owner;
        this.promptTokens = usage.prompt();
        this.completionTokens = usage.completion();
        this.cachedTokens = usage.cached();
        this.reasoningTokens = usage.reasoning();
    }

    public TokenUsage usage() {
        return new TokenUsage(promptTokens, completionTokens, cachedTokens, reasoningTokens);
    }
}
