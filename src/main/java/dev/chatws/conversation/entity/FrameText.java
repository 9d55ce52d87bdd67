package dev.chatws.conversation.entity;

import dev.chatws.json.JsonText;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/**
 * The text of a server frame as it goes over a socket: a {@link RawFrame}'s JSON text as it is
 * (relayed chunks are never re-serialised), every other frame with JSON-B, lone surrogates
 * escaped ({@link JsonText#wellFormed}). Stateless; the one {@link Jsonb} is thread-safe.
 */
public final class FrameText {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private FrameText() {
    }

    /** The text of {@code frame}. */
    public static String of(ServerFrame frame) {
        return frame instanceof RawFrame raw ? raw.json() : JsonText.wellFormed(JSONB.toJson(frame));
    }
}
