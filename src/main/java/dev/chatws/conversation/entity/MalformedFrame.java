package dev.chatws.conversation.entity;

/**
 * A text frame that is not one JSON object (broken JSON, or an array, string or number). It is
 * answered with {@link ErrorCode#INVALID_JSON}; {@code detail} says what was wrong, for people.
 */
public record MalformedFrame(String detail) implements InboundFrame {
}
