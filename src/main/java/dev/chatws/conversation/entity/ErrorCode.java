package dev.chatws.conversation.entity;

/**
 * The error codes of the protocol, with their OpenAI error {@code type} and whether they end a
 * turn (the terminal frame) or only answer the frame just received.
 */
public enum ErrorCode {
    INVALID_JSON("invalid_request_error", false),
    INVALID_REQUEST("invalid_request_error", false),
    UNKNOWN_TYPE("invalid_request_error", false),
    TURN_IN_PROGRESS("invalid_request_error", false),
    NO_TURN_IN_PROGRESS("invalid_request_error", false),
    UPSTREAM_ERROR("upstream_error", true),
    UPSTREAM_TIMEOUT("upstream_error", true),
    RATE_LIMITED("rate_limit_error", true),
    /** Not in PROTOCOL §3.3's list: the turn's result could not be saved, so it was not committed. */
    INTERNAL_ERROR("server_error", true);

    private final String type;
    private final boolean endsTurn;

    ErrorCode(String type, boolean endsTurn) {
        this.type = type;
        this.endsTurn = endsTurn;
    }

    /** The code as it goes on the wire, e.g. {@code invalid_request}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The OpenAI error {@code type}. */
    public String type() {
        return type;
    }

    /** Whether an error of this code is the terminal frame of a turn. */
    public boolean endsTurn() {
        return endsTurn;
    }
}
