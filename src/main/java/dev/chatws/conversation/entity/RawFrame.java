package dev.chatws.conversation.entity;

/**
 * A frame whose JSON text is final: an upstream chunk exactly as the upstream sent it, or the
 * terminal {@code chat.completion}. Sent as it is, so one text serves every attached socket.
 */
public record RawFrame(String json) implements ServerFrame {
}
