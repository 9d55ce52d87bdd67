package dev.chatws.conversation.boundary;

import dev.chatws.conversation.entity.FrameText;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.json.JsonText;
import jakarta.websocket.Encoder;

/**
 * Encodes a server frame as one text frame: a {@link RawFrame}'s JSON text as it is (relayed
 * chunks are never re-serialised), every other frame with JSON-B, lone surrogates escaped
 * ({@link JsonText#wellFormed}).
 *
 * <p>Stateless ({@link FrameText}).
 */
public class FrameEncoder implements Encoder.Text<ServerFrame> {

    @Override
    public String encode(ServerFrame frame) {
        return encodeFrame(frame);
    }

    /** The text of {@code frame}, as {@link #encode(ServerFrame)} gives it. */
    static String encodeFrame(ServerFrame frame) {
        return FrameText.of(frame);
    }
}
