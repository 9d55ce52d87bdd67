package dev.chatws.conversation.entity;

/**
 * A frame the server sends: JSON text relayed or built once ({@link RawFrame}), an
 * {@link ErrorFrame} or a {@link ConversationFrame}. The endpoint's encoder turns each into one
 * text frame.
 */
public sealed interface ServerFrame permits RawFrame, ErrorFrame, ConversationFrame {
}
