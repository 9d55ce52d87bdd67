package dev.chatws.conversation.entity;

/**
 * A frame a client sent, as the endpoint's decoder classified it: a {@link ChatRequest} (no
 * {@code type} member), a {@link ControlFrame} (a {@code type} member), a {@link MalformedFrame}
 * (not a JSON object), or an {@link OversizedFrame} (over {@code chat.max-frame-bytes}).
 */
public sealed interface InboundFrame permits ChatRequest, ControlFrame, MalformedFrame, OversizedFrame {
}
