package dev.chatws.upstream.control;

/**
 * What an {@link UpstreamCall} reports, on the thread that reads the upstream. Exactly one of
 * {@link #completed(boolean)}, {@link #body(String)}, {@link #failed(Integer, String)},
 * {@link #contextOverflow} or {@link #timedOut(String)} ends a call that was not aborted; none is reported after an abort.
 */
public interface UpstreamListener {

    /** One SSE {@code data:} payload other than {@code [DONE]}, as the upstream sent it. */
    void event(String data);

    /** The stream ended: {@code done} if with {@code [DONE]}, else it simply stopped. */
    void completed(boolean done);

    /** The whole body of a non-streamed answer. */
    void body(String json);

    /**
     * The call failed: {@code status} is the HTTP status of an error answer ({@code null} if the
     * connection or the stream broke); {@code message} says what happened, for people, and holds
     * nothing of the upstream's body but its error code.
     */
    void failed(Integer status, String message);

    /** The upstream went silent for longer than allowed; {@code message} says which wait ran out. */
    void timedOut(String message);

    /**
     * The upstream refused the prompt as longer than the model's context (HTTP 400, before
     * anything was streamed; PROTOCOL §11). Unless overridden, the call failed like any refusal.
     */
    default void contextOverflow(ContextOverflow overflow, String message) {
        failed(400, message);
    }
}
