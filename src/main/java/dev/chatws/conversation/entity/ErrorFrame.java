package dev.chatws.conversation.entity;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * An error frame, in the OpenAI error envelope.
 *
 * <pre>{@code
 * {"error":{"type":"invalid_request_error","code":"invalid_request",
 *  "message":"messages[0].role must be one of system, developer, user, assistant, tool.",
 *  "param":"messages[0].role"}}
 * {"error":{"type":"upstream_error","code":"upstream_error",
 *  "message":"The upstream API answered HTTP 429.","param":null,"status":429}}
 * {"error":{"type":"rate_limit_error","code":"rate_limited",
 *  "message":"… try again in 12 s.","param":null,"retry_after":12}}
 * }</pre>
 * {@code message} is for people and never holds credentials, stack traces or upstream bodies.
 * Immutable.
 */
public record ErrorFrame(Body error) implements ServerFrame {

    /** An error of {@code code}, naming no member and no HTTP status. */
    public static ErrorFrame of(ErrorCode code, String message) {
        return new ErrorFrame(new Body(code.type(), code.code(), message, null, null, null));
    }

    /** An error about member {@code param} (a path such as {@code messages[0].role}). */
    public static ErrorFrame about(ErrorCode code, String param, String message) {
        return new ErrorFrame(new Body(code.type(), code.code(), message, param, null, null));
    }

    /** An upstream error with the HTTP status it answered, or {@code null} if there was none. */
    public static ErrorFrame upstream(Integer status, String message) {
        ErrorCode code = ErrorCode.UPSTREAM_ERROR;
        return new ErrorFrame(new Body(code.type(), code.code(), message, null, status, null));
    }

    /** A limit of this server was reached; a turn may start again in {@code retryAfter} seconds. */
    public static ErrorFrame rateLimited(long retryAfter, String message) {
        ErrorCode code = ErrorCode.RATE_LIMITED;
        return new ErrorFrame(new Body(code.type(), code.code(), message, null, null, retryAfter));
    }

    /** The upstream went silent for too long. */
    public static ErrorFrame upstreamTimeout(String message) {
        return of(ErrorCode.UPSTREAM_TIMEOUT, message);
    }

    /** The envelope's contents. */
    @JsonbPropertyOrder({"type", "code", "message", "param", "status", "retryAfter"})
    public record Body(String type, String code, String message, @JsonbNillable String param, Integer status,
            @JsonbProperty("retry_after") Long retryAfter) {
    }
}
