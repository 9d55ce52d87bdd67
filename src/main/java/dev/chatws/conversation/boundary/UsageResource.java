package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.ConversationCatalog;
import dev.chatws.conversation.control.StoreException;
import dev.chatws.json.JsonText;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.logging.Logger;

/**
 * {@code GET /api/usage}: the tokens the caller's committed turns used, over all of the user's
 * conversations (deleted ones included, until the user's erase-all), in OpenAI's {@code usage}
 * shape with {@code "object":"usage"}. Needs a token (401 without); 503 when the store is
 * unavailable. Request-scoped.
 */
@RequestScoped
@Path("usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageResource {

    private static final Logger LOG = Logger.getLogger(UsageResource.class.getName());

    @Inject
    ConversationCatalog catalog;

    @Inject
    Callers callers;

    @GET
    public JsonObject usage(@HeaderParam("Authorization") String authorization) {
        String user = callers.user(authorization);
        try {
            return JsonText.PROVIDER.createObjectBuilder().add("object", "usage").addAll(
                    JsonText.PROVIDER.createObjectBuilder(catalog.usage(user).json())).build();
        } catch (StoreException e) {
            LOG.warning(() -> "The conversation store failed; answered 503. " + e.getMessage());
            throw ApiErrors.unavailable();
        }
    }
}
