package dev.chatws.conversation.entity;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * A chat request frame: the body of an OpenAI Chat Completions request whose {@code messages} are
 * the new messages of this turn.
 *
 * <pre>{@code
 * {"messages":[{"role":"user","content":"hi"}],"model":"gpt-4o-mini","temperature":0.2,"top_k":40}
 * }</pre>
 * The JSON object is kept whole, in the client's member order, because every member the server
 * does not act on (such as {@code top_k}) goes upstream unchanged. Immutable.
 */
public record ChatRequest(JsonObject body) implements InboundFrame {

    /** {@code stream}: {@code true} unless the client sent {@code "stream": false}. */
    public boolean streaming() {
        return body.get("stream") != JsonValue.FALSE;
    }
}
