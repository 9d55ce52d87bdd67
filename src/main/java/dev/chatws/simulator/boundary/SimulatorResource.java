package dev.chatws.simulator.boundary;

import dev.chatws.json.JsonText;
import dev.chatws.simulator.control.SimulatedModel;
import dev.chatws.simulator.entity.ChatCompletionRequest;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /simulator/v1/chat/completions}: the simulated model behind the OpenAI Chat
 * Completions API, streaming ({@code text/event-stream}, ending with {@code data: [DONE]}) or not.
 * A request without {@code messages} gets HTTP 400 with an OpenAI error object.
 *
 * <p>Per request; the streamed answer is written and flushed event by event on the request thread.
 */
@Path("v1/chat/completions")
public class SimulatorResource {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final byte[] OPEN = ": simulated model\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    @Inject
    SimulatedModel model;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(String body) {
        ChatCompletionRequest request;
        try {
            request = JSONB.fromJson(body, ChatCompletionRequest.class);
        } catch (RuntimeException e) {
            return badRequest("The body is not a chat completion request.");
        }
        if (request == null || request.messages() == null || request.messages().isEmpty()) {
            return badRequest("messages is required.");
        }
        if (!request.streaming()) {
            return Response.ok(JSONB.toJson(model.complete(request)), MediaType.APPLICATION_JSON_TYPE).build();
        }
        StreamingOutput events = out -> {
            try {
                out.write(OPEN);
                out.flush();
                out.flush();
                model.stream(request, chunk -> event(out, JSONB.toJson(chunk)));
                out.write(DONE);
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        };
        return Response.ok(events, MediaType.SERVER_SENT_EVENTS_TYPE).header("Cache-Control", "no-cache").build();
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Response badRequest(String message) {
        String error = JsonText.PROVIDER.createObjectBuilder().add("error", JsonText.PROVIDER.createObjectBuilder()
                .add("message", message).add("type", "invalid_request_error").addNull("param").addNull("code")).build().toString();
        return Response.status(Response.Status.BAD_REQUEST).entity(error).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
