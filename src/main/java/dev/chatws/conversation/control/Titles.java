package dev.chatws.conversation.control;

import dev.chatws.json.JsonText;
import dev.chatws.upstream.control.ContextOverflow;
import dev.chatws.upstream.control.Upstream;
import dev.chatws.upstream.control.UpstreamListener;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * {@code chat.titles=auto} (PROTOCOL §10): after the first committed turn of an untitled
 * conversation (unless it was cancelled), one small non-streamed request asks the upstream for a short title, on the turn's
 * model, with the turn's first user message and answer (each cut to 1,000 characters). The answer
 * becomes the title, as an update would make it (stored, then every socket gets the conversation
 * frame), unless the conversation got a title meanwhile. It is never billed to the turn (not in
 * its usage, not against the client's limits) and every failure is ignored: the conversation stays
 * untitled.
 *
 * <p>One per {@link Conversation}; {@link #suggest} runs on a commit thread with no lock held, the
 * answer is handled on the upstream's thread and stored on a background thread.
 */
final class Titles {

    static final String PROMPT = "Write a title of at most six words for the conversation below. Answer with the title alone:"
            + " no quotes, no final period, in the conversation's language.";
    private static final Logger LOG = Logger.getLogger(Titles.class.getName());
    private static final int EXCERPT = 1000;
    private static final int MAX_TITLE = 200;
    private static final Pattern THINKING = Pattern.compile("(?s)<think>.*?</think>");

    private final ConversationState state;
    private final Upstream upstream;
    private final ConversationSettings settings;
    private final Steering steering;

    Titles(ConversationState state, Upstream upstream, ConversationSettings settings, Steering steering) {
        this.state = state;
        this.upstream = upstream;
        this.settings = settings;
        this.steering = steering;
    }

    /** After {@code commit} was stored: asks for a title if this was the first turn of an untitled conversation. */
    void suggest(TurnCommit commit) {
        // Not for a cancelled turn: it holds little to name, and a server that stops cancels every turn.
        if (!settings.autoTitles() || commit.turn().plan().kind() != Turn.Kind.TURN || !commit.turn().plan().base().isEmpty()
                || commit.turn().cancelled()) {
            return;
        }
        synchronized (state.lock) {
            if (state.profile.title() != null || state.erased || state.unloaded) {
                return;
            }
        }
        Optional<String> asked = commit.messages().stream().filter(message -> "user".equals(message.getString("role", ""))).findFirst().map(Titles::text);
        Optional<String> answered = commit.messages().stream().filter(message -> "assistant".equals(message.getString("role", ""))).findFirst()
                .map(Titles::text);
        if (asked.isEmpty() || asked.get().isBlank()) {
            return;
        }
        String transcript = "User: " + cut(asked.get()) + answered.map(answer -> "\n\nAssistant: " + cut(answer)).orElse("");
        JsonObject body = JsonText.PROVIDER.createObjectBuilder()
                .add("model", commit.turn().model() == null ? settings.defaultModel() : commit.turn().model())
                .add("messages", JsonText.PROVIDER.createArrayBuilder()
                        .add(JsonText.PROVIDER.createObjectBuilder().add("role", "system").add("content", PROMPT))
                        .add(JsonText.PROVIDER.createObjectBuilder().add("role", "user").add("content", transcript)))
                .add("max_tokens", 24)
                .add("temperature", 0.2)
                .add("stream", false)
                .build();
        try {
            if (upstream.startSpare(body.toString().getBytes(StandardCharsets.UTF_8), new Answer()).isEmpty()) {
                LOG.fine(() -> ChatScope.redact(state.id) + ": no title asked (the places for titles are all taken, or the upstream keeps failing)");
            }
        } catch (RuntimeException e) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": no title asked (" + e.getMessage() + ")");
        }
    }

    /** The title in an upstream's answer: its first line, without quotes, markup, a "Title:" label or a final period; empty if none. */
    static Optional<String> title(String completion) {
        JsonObject answer;
        try {
            answer = JsonText.object(completion);
        } catch (JsonText.Unreadable e) {
            return Optional.empty();
        }
        if (!(answer.get("choices") instanceof JsonArray choices) || choices.isEmpty() || !(choices.get(0) instanceof JsonObject choice)
                || !(choice.get("message") instanceof JsonObject message)) {
            return Optional.empty();
        }
        String text = THINKING.matcher(text(message)).replaceAll("").strip();
        text = text.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse("");
        for (int pass = 0; pass < 2; pass++) {
            text = text.replaceAll("^[\"'“”‘’*#_`\\s]+|[\"'“”‘’*_`\\s]+$", "").replaceFirst("(?i)^title\\s*:", "");
            if (text.endsWith(".") && !text.endsWith("..")) {
                text = text.substring(0, text.length() - 1);
            }
        }
        text = text.strip();
        if (text.codePointCount(0, text.length()) > MAX_TITLE) {
            text = text.substring(0, text.offsetByCodePoints(0, MAX_TITLE - 1)) + "…";
        }
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** A message's text: its string content, or its text parts joined. */
    private static String text(JsonObject message) {
        JsonValue content = message.get("content");
        if (content instanceof JsonString string) {
            return string.getString();
        }
        StringBuilder text = new StringBuilder();
        if (content instanceof JsonArray parts) {
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object && object.get("text") instanceof JsonString piece) {
                    text.append(text.isEmpty() ? "" : " ").append(piece.getString());
                }
            }
        }
        return text.toString();
    }

    private static String cut(String text) {
        return text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "…";
    }

    /** The title request's outcome: a body becomes the title; anything else is ignored. */
    private final class Answer implements UpstreamListener {
        @Override
        public void body(String json) {
            title(json).ifPresent(title -> {
                try {
                    settings.background(() -> steering.update(JsonText.PROVIDER.createObjectBuilder().add("title", title).build(), true));
                } catch (RejectedExecutionException e) {
                    LOG.fine("The server is stopping; the title is dropped");
                }
            });
        }

        @Override
        public void event(String data) {
            // A streamed answer to a request that asked for none: ignored, as is the title.
        }

        @Override
        public void completed(boolean done) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": the title request was answered with a stream; no title");
        }

        @Override
        public void failed(Integer status, String message) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": the title request failed (" + message + "); no title");
        }

        @Override
        public void timedOut(String message) {
            LOG.fine(() -> ChatScope.redact(state.id) + ": the title request timed out; no title");
        }

        @Override
        public void contextOverflow(ContextOverflow overflow, String message) {
            failed(400, message);
        }
    }
}
