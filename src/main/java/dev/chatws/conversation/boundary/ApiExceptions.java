package dev.chatws.conversation.boundary;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every failure of the HTTP API answers in the OpenAI error envelope, never with a stack trace or
 * a server's HTML page: what the resources refuse already carries its envelope ({@link ApiErrors});
 * what Jakarta REST itself refuses (an unknown path 404, a wrong method 405, an unsupported media
 * type 415, …) gets one for its status; anything unexpected is a 500 {@code internal_error},
 * logged once with its class (never its message, which could hold a caller's data). Stateless.
 */
@Provider
public class ApiExceptions implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ApiExceptions.class.getName());

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof WebApplicationException refusal) {
            Response response = refusal.getResponse();
            if (response.hasEntity()) {
                return response;
            }
            int status = response.getStatus();
            String type = status >= 500 ? "server_error" : "invalid_request_error";
            String code = status == 404 ? "not_found" : status == 405 ? "method_not_allowed" : status == 415 ? "unsupported_media_type"
                    : status >= 500 ? "internal_error" : "invalid_request";
            return ApiErrors.envelope(status, type, code, null, "The request was refused (HTTP " + status + ").", response.getHeaders());
        }
        LOG.log(Level.WARNING, "The HTTP API failed unexpectedly: {0}", failure.getClass().getName());
        return ApiErrors.envelope(500, "server_error", "internal_error", null, "The server failed; try again.", null);
    }
}
