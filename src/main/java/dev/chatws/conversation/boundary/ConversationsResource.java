package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.ConversationStore;
import dev.chatws.conversation.control.Conversations;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.logging.Logger;

/**
 * Erasure: {@code DELETE /api/conversations/{id}} deletes a conversation and its whole history, in
 * memory and in the store; sockets attached to it are closed with 4404 and a turn in flight ends
 * unsaved. Answers 204 when deleted, 404 when there was no such conversation, 503 when the store
 * is unavailable. The id is the capability (PROTOCOL §3.1): whoever holds it may delete it.
 *
 * <p>Request-scoped; the work is done by the thread-safe {@link Conversations}.
 */
@RequestScoped
@Path("conversations")
public class ConversationsResource {

    private static final Logger LOG = Logger.getLogger(ConversationsResource.class.getName());

    @Inject
    Conversations conversations;

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        try {
            return conversations.erase(id) ? Response.noContent().build() : Response.status(Response.Status.NOT_FOUND).build();
        } catch (ConversationStore.StoreException e) {
            LOG.warning(() -> "Erasure failed; answered 503. " + e.getMessage());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).build();
        }
    }
}
