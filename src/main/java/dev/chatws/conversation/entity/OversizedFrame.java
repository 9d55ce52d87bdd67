package dev.chatws.conversation.entity;

/**
 * A text frame longer than {@code chat.max-frame-bytes} in UTF-8 ({@code bytes} of them); it is
 * not parsed, and the socket is closed with 1009.
 */
public record OversizedFrame(long bytes) implements InboundFrame {
}
