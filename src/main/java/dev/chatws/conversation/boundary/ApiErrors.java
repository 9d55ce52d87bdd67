package dev.chatws.conversation.boundary;

import dev.chatws.conversation.entity.ErrorFrame;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP API's error answers, each in the OpenAI error envelope (as the socket's error frames),
 * never with a stack trace: {@code {"error":{"type","code","message","param"}}}. Each refusal is
 * logged once, at INFO, by code and member only. Stateless.
 */
final class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class.getName());

    private ApiErrors() {
    }

    /** 400: {@code param} (null: none) is wrong. */
    static WebApplicationException badRequest(String code, String param, String message) {
        return failure(Response.Status.BAD_REQUEST, "invalid_request_error", code, param, message);
    }

    /** 400 with the refusal a conversation gave (an update's invalid member). */
    static Response refused(ErrorFrame refusal) {
        ErrorFrame.Body body = refusal.error();
        int status = "server_error".equals(body.type()) ? 503 : 400;
        log(status, body.code(), body.param());
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(FrameEncoder.encodeFrame(refusal)).build();
    }

    /** 401: no valid bearer token where one is needed. */
    static WebApplicationException unauthorized(String message) {
        WebApplicationException failure = failure(Response.Status.UNAUTHORIZED, "authentication_error", "unauthenticated", null, message);
        return new WebApplicationException(Response.fromResponse(failure.getResponse()).header("WWW-Authenticate", "Bearer").build());
    }

    /** 404: no such conversation (or another user's: the same answer). */
    static WebApplicationException notFound() {
        return failure(Response.Status.NOT_FOUND, "invalid_request_error", "not_found", null, "No conversation with this id.");
    }

    /** 503: the conversation store did not answer. */
    static WebApplicationException unavailable() {
        return failure(Response.Status.SERVICE_UNAVAILABLE, "server_error", "store_unavailable", null,
                "The conversation store is unavailable; try again later.");
    }

    private static WebApplicationException failure(Response.Status status, String type, String code, String param, String message) {
        return new WebApplicationException(envelope(status.getStatusCode(), type, code, param, message, null));
    }

    /** The envelope answer itself, with {@code headers} kept (null: none); logged. */
    static Response envelope(int status, String type, String code, String param, String message,
            jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
        log(status, code, param);
        ErrorFrame body = new ErrorFrame(new ErrorFrame.Body(type, code, message, param, null, null));
        Response.ResponseBuilder answer = Response.status(status);
        if (headers != null) {
            headers.forEach((name, values) -> values.forEach(value -> answer.header(name, value)));
        }
        return answer.type(MediaType.APPLICATION_JSON_TYPE).entity(FrameEncoder.encodeFrame(body)).build();
    }

    private static void log(int status, String code, String param) {
        LOG.log(Level.INFO, "HTTP API answered {0}: {1}{2}", new Object[] {status, code, param == null ? "" : " at " + param});
    }
}
