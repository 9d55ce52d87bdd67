package dev.chatws.upstream.boundary;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The upstream OpenAI-compatible Chat Completions API: {@code POST {base}/chat/completions} with
 * the exact UTF-8 bytes the relay built, the answer as the raw body stream (an SSE stream or one
 * JSON object), read as it arrives.
 *
 * <p>It is the JDK's {@link HttpClient}, not a MicroProfile Rest Client: a relay must be able to
 * abandon a call in every phase the moment its turn ends (a cancel, a timeout, a socket gone),
 * and the JDK client does that with public API: cancelling the returned future aborts a call that
 * is still connecting or waiting for its status line, and closing the body stream aborts one
 * that is streaming. Liberty's Rest Client (RESTEasy on a blocking Apache HttpClient 4) can do
 * neither: a call waiting for its headers could not be let go at all, and closing a streamed
 * response read it to its end.
 *
 * <p>The client runs its own tasks on its selector thread ({@code executor(Runnable::run)}): they
 * only move bytes into the body stream, which the call's reader thread reads, and handing each
 * chunk to a pooled thread first cost a thread wake-up per chunk.
 *
 * <p>The bearer token ({@code chat.upstream.api-key}) is held here only and sent on every request;
 * it is never logged. One instance per application; thread-safe.
 */
public final class ChatCompletionsApi {

    private final HttpClient http;
    private final URI completions;
    private final Optional<String> authorization;

    /**
     * @param base           the API's base URL, ending in {@code /v1}
     * @param apiKey         sent as {@code Authorization: Bearer …} if present
     * @param connectTimeout how long connecting may take
     */
    public ChatCompletionsApi(URI base, Optional<String> apiKey, Duration connectTimeout) {
        // HTTP/1.1: on plain http:// the JDK would otherwise ask to upgrade to h2c, which some servers refuse.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).executor(Runnable::run).build();
        this.completions = URI.create(base + "/chat/completions");
        this.authorization = apiKey.filter(key -> !key.isBlank()).map(key -> "Bearer " + key);
    }

    /** Where calls go. */
    public URI uri() {
        return completions;
    }

    /**
     * Starts the POST of {@code body} with {@code headers} (such as a trace context) and returns at
     * once; the future completes when the status line and headers have come, with the body to read.
     * Cancelling it aborts the call, whatever phase it is in.
     *
     * @param headersTimeout longest wait for the status line and headers (a backstop; callers keep their own clock)
     */
    public CompletableFuture<HttpResponse<InputStream>> create(byte[] body, Map<String, String> headers, Duration headersTimeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(completions)
                .timeout(headersTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream, application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        authorization.ifPresent(value -> request.header("Authorization", value));
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Override
    public String toString() {
        return "ChatCompletionsApi[" + completions + ", key " + (authorization.isPresent() ? "***" : "none") + "]";
    }
}
