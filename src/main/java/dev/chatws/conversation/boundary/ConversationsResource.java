package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.StoreException;
import dev.chatws.conversation.control.Conversations;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import dev.chatws.auth.control.Authentication;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Erasure: {@code DELETE /api/conversations/{id}} deletes a conversation and its whole history, in
 * memory and in the store; sockets attached to it are closed with 4404 and a turn in flight ends
 * unsaved. Answers 204 when deleted, 404 when there is no such conversation (or it is another
 * user's), 401 for a bad bearer token or none where {@code chat.auth.required}, 503 when the store
 * is unavailable. A conversation started anonymously may be deleted by whoever holds its id (the
 * capability, PROTOCOL §3.1); one owned by a user only with that user's token.
 *
 * <p>Request-scoped; the work is done by the thread-safe {@link Conversations}.
 */
@RequestScoped
@Path("conversations")
public class ConversationsResource {

    private static final Logger LOG = Logger.getLogger(ConversationsResource.class.getName());

    @Inject
    Conversations conversations;

    @Inject
    Authentication authentication;

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        String user = null;
        String token = Authentication.bearer(authorization);
        if (token != null) {
            Optional<String> verified = authentication.verify(token);
            if (verified.isEmpty()) {
                return Response.status(Response.Status.UNAUTHORIZED).build();
            }
            user = verified.get();
        } else if (authentication.required()) {
            return Response.status(Response.Status.UNAUTHORIZED).build();
        }
        try {
            return conversations.erase(id, user) ? Response.noContent().build() : Response.status(Response.Status.NOT_FOUND).build();
        } catch (StoreException e) {
            LOG.warning(() -> "Erasure failed; answered 503. " + e.getMessage());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).build();
        }
    }
}
