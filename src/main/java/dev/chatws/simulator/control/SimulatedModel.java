package dev.chatws.simulator.control;

import dev.chatws.json.JsonText;
import dev.chatws.simulator.entity.ChatCompletion;
import dev.chatws.simulator.entity.ChatCompletionChunk;
import dev.chatws.simulator.entity.ChatCompletionRequest;
import dev.chatws.simulator.entity.ChatMessage;
import dev.chatws.simulator.entity.Choice;
import dev.chatws.simulator.entity.ChunkChoice;
import dev.chatws.simulator.entity.Logprobs;
import dev.chatws.simulator.entity.ToolCall;
import dev.chatws.simulator.entity.Usage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The built-in simulated model: a deterministic OpenAI-compatible chat model whose replies make the
 * conversation's memory visible (the turn number, the user's last message and the one before). With
 * {@code tools} it calls them (two at once, interleaved, when {@code parallel_tool_calls} allows and
 * two tools are offered); after {@code tool} messages it reports what the tools answered. It streams
 * {@code logprobs} when asked, and usage (with cached-token details) when asked.
 *
 * <p>Pace for demos and benchmarks: {@code chat.simulator.first-token-delay} and
 * {@code chat.simulator.tokens-per-second}. Application-scoped, stateless, thread-safe.
 */
@ApplicationScoped
public class SimulatedModel {

    private static final Pattern TOKEN = Pattern.compile("\\s*\\S+");
    private static final String FINGERPRINT = "fp_chatws_sim";

    @Inject
    @ConfigProperty(name = "chat.simulator.first-token-delay", defaultValue = "0.2")
    double firstTokenDelaySeconds;

    @Inject
    @ConfigProperty(name = "chat.simulator.tokens-per-second", defaultValue = "40")
    double tokensPerSecond;

    /** Receives the chunks of a streamed reply. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(ChatCompletionChunk chunk) throws java.io.IOException;
    }

    /** What the model answers to {@code request}. */
    public Reply reply(ChatCompletionRequest request) {
        List<ChatMessage> messages = request.messages();
        List<String> userTexts = new ArrayList<>();
        for (ChatMessage message : messages) {
            if ("user".equals(message.role())) {
                userTexts.add(String.valueOf(message.contentText()));
            }
        }
        ChatMessage last = messages.get(messages.size() - 1);
        int turn = Math.max(1, userTexts.size());
        if ("tool".equals(last.role())) {
            List<String> answers = new ArrayList<>();
            for (int i = messages.size() - 1; i >= 0 && "tool".equals(messages.get(i).role()); i--) {
                answers.add(0, String.valueOf(messages.get(i).contentText()));
            }
            return Reply.text("Turn " + turn + ". The tools answered: " + String.join("; ", answers) + ".");
        }
        List<ChatCompletionRequest.Tool> tools = request.tools() == null ? List.of() : request.tools();
        if (!tools.isEmpty() && !isNone(request.toolChoice())) {
            String query = userTexts.isEmpty() ? "" : userTexts.get(userTexts.size() - 1);
            int calls = tools.size() > 1 && !Boolean.FALSE.equals(request.parallelToolCalls()) ? 2 : 1;
            List<ToolCall> toolCalls = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String arguments = JsonText.PROVIDER.createObjectBuilder().add("query", query).add("call", i + 1).build().toString();
                toolCalls.add(new ToolCall(i, "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24), "function",
                        new ToolCall.FunctionCall(tools.get(i).function().name(), arguments)));
            }
            return new Reply(null, toolCalls);
        }
        String said = userTexts.isEmpty() ? "" : userTexts.get(userTexts.size() - 1);
        StringBuilder text = new StringBuilder();
        text.append(turn == 1 ? "Hello! This is turn 1 of our conversation." : "This is turn " + turn + " of our conversation.");
        text.append(" You said: \"").append(said).append("\".");
        if (turn > 1) {
            text.append(" Before that you said: \"").append(userTexts.get(userTexts.size() - 2)).append("\".");
        }
        return Reply.text(text.toString());
    }

    /** The reply as one non-streamed completion. */
    public ChatCompletion complete(ChatCompletionRequest request) {
        Reply reply = reply(request);
        String id = completionId();
        ChatMessage message = reply.toolCalls().isEmpty()
                ? ChatMessage.text("assistant", reply.text())
                : new ChatMessage("assistant", null, JsonValue.NULL, null, null, withoutIndex(reply.toolCalls()), null);
        Logprobs logprobs = Boolean.TRUE.equals(request.logprobs()) && reply.text() != null
                ? new Logprobs(tokens(reply.text()).stream().map(t -> logprob(t, request)).toList(), null) : null;
        return new ChatCompletion(id, ChatCompletion.OBJECT, Instant.now().getEpochSecond(), model(request),
                List.of(new Choice(0, message, logprobs, reply.finishReason())), usage(request, reply), null, FINGERPRINT);
    }

    /** Streams the reply to {@code sink} at the configured pace, the usage chunk last if asked for. */
    public void stream(ChatCompletionRequest request, ChunkSink sink) throws java.io.IOException, InterruptedException {
        Reply reply = reply(request);
        String id = completionId();
        long created = Instant.now().getEpochSecond();
        String model = model(request);
        pause(firstTokenDelaySeconds);
        sink.accept(chunk(id, created, model, new ChunkChoice(0, ChatMessage.text("assistant", ""), null, null)));
        if (reply.text() != null) {
            for (String token : tokens(reply.text())) {
                pause(1 / tokensPerSecond);
                Logprobs logprobs = Boolean.TRUE.equals(request.logprobs()) ? new Logprobs(List.of(logprob(token, request)), null) : null;
                sink.accept(chunk(id, created, model, new ChunkChoice(0, ChatMessage.contentDelta(token), logprobs, null)));
            }
        } else {
            for (ToolCall fragment : fragments(reply.toolCalls())) {
                pause(1 / tokensPerSecond);
                sink.accept(chunk(id, created, model, new ChunkChoice(0, ChatMessage.toolCallDelta(List.of(fragment)), null, null)));
            }
        }
        sink.accept(chunk(id, created, model, new ChunkChoice(0, new ChatMessage(null, null, null, null, null, null, null), null, reply.finishReason())));
        if (request.includeUsage()) {
            sink.accept(new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, model, FINGERPRINT, null, List.of(), usage(request, reply)));
        }
    }

    /** The tool calls as streamed fragments: a head with id and name each, then the arguments in pieces, interleaved. */
    static List<ToolCall> fragments(List<ToolCall> calls) {
        List<ToolCall> out = new ArrayList<>();
        for (ToolCall call : calls) {
            out.add(new ToolCall(call.index(), call.id(), call.type(), new ToolCall.FunctionCall(call.function().name(), "")));
        }
        int longest = calls.stream().mapToInt(c -> c.function().arguments().length()).max().orElse(0);
        for (int start = 0; start < longest; start += 7) {
            for (ToolCall call : calls) {
                String arguments = call.function().arguments();
                if (start < arguments.length()) {
                    String piece = arguments.substring(start, Math.min(arguments.length(), start + 7));
                    out.add(new ToolCall(call.index(), null, null, new ToolCall.FunctionCall(null, piece)));
                }
            }
        }
        return out;
    }

    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(text);
        while (matcher.find()) {
            tokens.add(matcher.group());
        }
        return tokens;
    }

    private static List<ToolCall> withoutIndex(List<ToolCall> calls) {
        return calls.stream().map(c -> new ToolCall(null, c.id(), c.type(), c.function())).toList();
    }

    private static boolean isNone(JsonValue toolChoice) {
        return toolChoice instanceof JsonString choice && "none".equals(choice.getString());
    }

    private static Logprobs.TokenLogprob logprob(String token, ChatCompletionRequest request) {
        List<Integer> bytes = bytes(token);
        double logprob = -0.001 * (token.length() % 7);
        int alternatives = request.topLogprobs() == null ? 0 : request.topLogprobs();
        List<Logprobs.TopLogprob> top = new ArrayList<>();
        for (int i = 0; i < alternatives; i++) {
            String alternative = i == 0 ? token : token.strip() + "~" + i;
            top.add(new Logprobs.TopLogprob(alternative, i == 0 ? logprob : logprob - 2.5 * i, bytes(alternative)));
        }
        return new Logprobs.TokenLogprob(token, logprob, bytes, top);
    }

    private static List<Integer> bytes(String text) {
        List<Integer> out = new ArrayList<>();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.add(b & 0xff);
        }
        return out;
    }

    private static Usage usage(ChatCompletionRequest request, Reply reply) {
        List<ChatMessage> messages = request.messages();
        int prompt = 0;
        int cached = 0;
        for (int i = 0; i < messages.size(); i++) {
            int tokens = 4 + estimate(messages.get(i).contentText());
            prompt += tokens;
            if (i < messages.size() - 1) {
                cached += tokens;
            }
        }
        int completion = reply.text() != null ? tokens(reply.text()).size()
                : reply.toolCalls().stream().mapToInt(c -> 3 + estimate(c.function().arguments())).sum();
        return new Usage(prompt, completion, prompt + completion,
                new Usage.PromptTokensDetails(cached, 0),
                new Usage.CompletionTokensDetails(0, 0, 0, 0), null, null);
    }

    private static int estimate(String text) {
        return text == null ? 0 : (text.length() + 3) / 4;
    }

    private static ChatCompletionChunk chunk(String id, long created, String model, ChunkChoice choice) {
        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, model, FINGERPRINT, null, List.of(choice), null);
    }

    private static String model(ChatCompletionRequest request) {
        return request.model() == null ? "chat-ws-simulator" : request.model();
    }

    private static String completionId() {
        return "chatcmpl-sim" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    private static void pause(double seconds) throws InterruptedException {
        if (seconds > 0) {
            Duration duration = Duration.ofNanos((long) (seconds * 1e9));
            Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
    }

    /** A reply: text, or tool calls. */
    public record Reply(String text, List<ToolCall> toolCalls) {

        static Reply text(String text) {
            return new Reply(text, List.of());
        }

        String finishReason() {
            return toolCalls.isEmpty() ? "stop" : "tool_calls";
        }
    }
}
