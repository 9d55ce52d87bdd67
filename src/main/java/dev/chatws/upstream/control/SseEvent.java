package dev.chatws.upstream.control;

/**
 * One dispatched server-sent event: its {@code event} type ({@code null} when the stream named
 * none) and its data, the {@code data:} lines joined with {@code \n}. Immutable.
 */
public record SseEvent(String event, String data) {

    /** Whether this is the OpenAI end-of-stream sentinel {@code data: [DONE]}. */
    public boolean isDone() {
        return "[DONE]".equals(data.strip());
    }
}
