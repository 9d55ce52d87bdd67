package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.ConversationCatalog;
import dev.chatws.conversation.control.Conversations;
import dev.chatws.conversation.control.StoreException;
import dev.chatws.conversation.entity.ConversationExport;
import dev.chatws.conversation.entity.ConversationList;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.ServerFrame;
import dev.chatws.json.JsonText;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Conversations over HTTP (PROTOCOL §12): list a user's, read one, change its title and settings,
 * export every branch, delete one, erase all of a user's. Who may see what is as on the socket
 * ({@link Callers}): a user's conversation is that user's only, and anyone else gets the 404 of
 * an unknown id; an anonymous one is whoever's holds its id; the list and erase-all need a token.
 * Errors are OpenAI error envelopes ({@link ApiErrors}): 400 for bad input, 401, 404, 503 when the
 * store is unavailable. The document of it all is {@code /openapi} ({@code META-INF/openapi.yaml}).
 *
 * <p>Request-scoped; the work is done by the thread-safe {@link Conversations} and
 * {@link ConversationCatalog}, on the request's thread (it may wait for the store).
 */
@RequestScoped
@Path("conversations")
@Produces(MediaType.APPLICATION_JSON)
public class ConversationsResource {

    private static final Logger LOG = Logger.getLogger(ConversationsResource.class.getName());
    private static final Set<String> PATCH_MEMBERS = Set.of("title", "settings", "type");

    @Inject
    Conversations conversations;

    @Inject
    ConversationCatalog catalog;

    @Inject
    Callers callers;

    @Inject
    @ConfigProperty(name = "chat.max-frame-bytes", defaultValue = "1048576")
    int maxBodyBytes;

    @GET
    public ConversationList list(@HeaderParam("Authorization") String authorization, @QueryParam("limit") String limit,
            @QueryParam("after") String after) {
        String user = callers.user(authorization);
        int size = limit(limit);
        ConversationCatalog.Page page = stored(() -> catalog.list(user, size, after))
                .orElseThrow(() -> ApiErrors.badRequest("invalid_request", "after", "after is not one of your conversations."));
        return new ConversationList(page.items().stream().map(item -> new ConversationList.Item(item.id(), item.created(), item.updated(),
                item.title(), item.messages(), item.model(), item.usage().json())).toList(), page.hasMore());
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        String user = callers.of(authorization).orElse(null);
        ServerFrame frame = stored(() -> conversations.visit(id, user, visits -> visits.view(user))).orElseThrow(ApiErrors::notFound);
        return json(frame);
    }

    @PATCH
    @Path("{id}")
    public Response patch(@PathParam("id") String id, @HeaderParam("Authorization") String authorization, InputStream body) {
        String user = callers.of(authorization).orElse(null);
        JsonObject update = update(body);
        ServerFrame answer = stored(() -> conversations.visit(id, user, visits -> visits.update(user, update))).orElseThrow(ApiErrors::notFound);
        return answer instanceof ErrorFrame refusal ? ApiErrors.refused(refusal) : json(answer);
    }

    @GET
    @Path("{id}/export")
    public ConversationExport export(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        String user = callers.of(authorization).orElse(null);
        return stored(() -> conversations.visit(id, user, visits -> visits.export(user))).orElseThrow(ApiErrors::notFound);
    }

    /**
     * Erasure: deletes the conversation and its whole history, in memory and in the store; sockets
     * attached to it are closed with 4404 and a turn in flight ends unsaved. 204, or 404.
     */
    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        String user = callers.of(authorization).orElse(null);
        if (!stored(() -> conversations.erase(id, user))) {
            throw ApiErrors.notFound();
        }
        return Response.noContent().build();
    }

    /** Erases every conversation of the caller (a token is needed), and the usage counted for the user. 204. */
    @DELETE
    public Response eraseAll(@HeaderParam("Authorization") String authorization) {
        String user = callers.user(authorization);
        stored(() -> conversations.eraseAll(user));
        return Response.noContent().build();
    }

    /** A frame as the socket sends it, byte for byte. */
    private static Response json(ServerFrame frame) {
        return Response.ok(FrameEncoder.encodeFrame(frame), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** {@code limit}: 1–100, default 20. */
    private static int limit(String limit) {
        if (limit == null) {
            return 20;
        }
        if (limit.matches("[0-9]{1,3}")) {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= 100) {
                return value;
            }
        }
        throw ApiErrors.badRequest("invalid_request", "limit", "limit is a whole number from 1 to 100.");
    }

    /** A PATCH body: one JSON object of {@code title} and {@code settings}, at most {@code chat.max-frame-bytes}. */
    private JsonObject update(InputStream body) {
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(maxBodyBytes + 1);
        } catch (IOException e) {
            throw ApiErrors.badRequest("invalid_json", null, "The body could not be read.");
        }
        if (bytes.length > maxBodyBytes) {
            throw ApiErrors.badRequest("invalid_request", null, "The body is larger than chat.max-frame-bytes.");
        }
        JsonObject update;
        try {
            update = JsonText.object(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonText.Unreadable e) {
            throw ApiErrors.badRequest("invalid_json", null, "The body is not a JSON object: " + e.getMessage());
        }
        for (String member : update.keySet()) {
            if (!PATCH_MEMBERS.contains(member)) {
                throw ApiErrors.badRequest("invalid_request", member, "Unknown member; a PATCH body has title and settings.");
            }
        }
        return update;
    }

    private static <T> T stored(Supplier<T> call) {
        try {
            return call.get();
        } catch (StoreException e) {
            LOG.warning(() -> "The conversation store failed; answered 503. " + e.getMessage());
            throw ApiErrors.unavailable();
        }
    }
}
