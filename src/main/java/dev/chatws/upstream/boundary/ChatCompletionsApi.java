package dev.chatws.upstream.boundary;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The upstream OpenAI-compatible Chat Completions API, as a MicroProfile Rest Client. The base URL
 * (ending in {@code /v1}) and the bearer token are set where the one client instance is built
 * ({@code dev.chatws.upstream.control.UpstreamClient}).
 *
 * <p>The body goes as the exact UTF-8 bytes the relay built; the answer comes back as the raw
 * stream, read event by event as it arrives. An error status surfaces as a
 * {@link jakarta.ws.rs.WebApplicationException} carrying the response. Thread-safe.
 */
@RegisterRestClient(configKey = "chat-upstream")
@Path("chat/completions")
public interface ChatCompletionsApi {

    /** POSTs a chat completion request; the answer is an SSE stream or one JSON object. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.SERVER_SENT_EVENTS, MediaType.APPLICATION_JSON})
    InputStream create(byte[] body);
}
