package dev.chatws.limits.entity;

/**
 * A request over one of the server's caps ({@code chat.limits.*}): the request member at fault
 * ({@code param}) and what the cap is, for people. The conversation answers it as
 * {@code invalid_request}. Immutable.
 */
public record OverCap(String param, String message) {
}
