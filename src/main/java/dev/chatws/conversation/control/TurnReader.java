package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.json.JsonText;
import dev.chatws.upstream.control.ContextOverflow;
import dev.chatws.upstream.control.ErrorBody;
import dev.chatws.upstream.control.UpstreamListener;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Reads what the upstream sends for one turn: each event and body is parsed once (an event that is
 * not a JSON object, or carries an {@code error}, fails the turn) and handed on to the
 * conversation as a {@link TurnEvents} call naming the turn, so that a late event of a turn that
 * already ended changes nothing.
 *
 * <p>Called on the thread that reads the upstream; stateless beyond the turn it belongs to.
 */
final class TurnReader implements UpstreamListener {

    /** What a turn's upstream exchange does to its conversation; each call takes the conversation's lock. */
    interface TurnEvents {
        /** A chunk arrived: {@code data} as received, {@code chunk} parsed. */
        void chunk(Turn turn, String data, JsonObject chunk);

        /** The stream ended, with {@code [DONE]} if {@code done}. */
        void streamEnded(Turn turn, boolean done);

        /** A non-streamed answer arrived whole. */
        void answered(Turn turn, String json, JsonObject completion);

        /** The exchange failed or went silent: the turn ends with {@code error}. */
        void failed(Turn turn, ErrorFrame error);

        /** The upstream refused the prompt as longer than the model's context, before anything streamed. */
        void overflowed(Turn turn, ContextOverflow overflow, String message);
    }

    private final Turn turn;
    private final TurnEvents events;

    TurnReader(Turn turn, TurnEvents events) {
        this.turn = turn;
        this.events = events;
    }

    @Override
    public void event(String data) {
        JsonObject chunk = parse(data);
        if (chunk != null) {
            events.chunk(turn, data, chunk);
        }
    }

    @Override
    public void completed(boolean done) {
        events.streamEnded(turn, done);
    }

    @Override
    public void body(String json) {
        JsonObject completion = parse(json);
        if (completion != null) {
            events.answered(turn, json, completion);
        }
    }

    @Override
    public void failed(Integer status, String message) {
        events.failed(turn, ErrorFrame.upstream(status, message));
    }

    @Override
    public void contextOverflow(ContextOverflow overflow, String message) {
        events.overflowed(turn, overflow, message);
    }

    @Override
    public void timedOut(String message) {
        events.failed(turn, ErrorFrame.upstreamTimeout(message));
    }

    /** The event as a JSON object; null (and the turn failed) if it is not one or is an error event. */
    private JsonObject parse(String data) {
        JsonObject object;
        try {
            object = JsonText.streamedObject(data);
        } catch (JsonText.Unreadable e) {
            failed(null, "The upstream sent an event that is not a JSON object within the parser's limits.");
            return null;
        }
        JsonValue error = object.get("error");
        if (error != null && error.getValueType() != JsonValue.ValueType.NULL) {
            String code = ErrorBody.code(error);
            failed(null, "The upstream reported an error" + (code == null ? "" : " (" + code + ")") + ".");
            return null;
        }
        return object;
    }
}
