package dev.chatws.conversation.control;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Bounds the history sent upstream by a token budget ({@code chat.history.max-tokens}; 0: no
 * bound), counted with OpenAI's o200k_base tokenizer. When the history and the new messages would
 * pass it, the oldest turns are left out first, but never the leading {@code system} and
 * {@code developer} messages, and never part of a turn: a turn runs from a {@code user} message to
 * the next, so an assistant's tool calls stay with their tool results. The committed history
 * itself keeps everything.
 *
 * <p>A message counts as its text (string content or text parts, tool names and arguments) plus 4
 * tokens of framing. As a token is at least one UTF-8 byte, a history whose JSON is at most a third
 * as many characters as the budget cannot pass it, and is not tokenized at all.
 *
 * <p>Immutable and thread-safe; the tokenizer is loaded once for the application, on first need.
 */
final class HistoryBudget {

    /** What goes upstream: the messages, and how many of the history's were left out. */
    record Selection(List<JsonObject> messages, int trimmed) {
    }

    private static final int FRAMING = 4;

    private final long maxTokens;

    HistoryBudget(long maxTokens) {
        this.maxTokens = maxTokens;
    }

    /** The configured budget ({@code chat.history.max-tokens}); 0: none. */
    long maxTokens() {
        return maxTokens;
    }

    /** {@link #select(List, List, long, ToLongFunction, long)} with the configured budget. */
    Selection select(List<JsonObject> history, List<JsonObject> added, long chars, ToLongFunction<JsonObject> count) {
        return select(history, added, chars, count, maxTokens);
    }

    /**
     * The messages to send: {@code history} trimmed as needed to fit {@code maxTokens} (0: no
     * bound), then {@code added}.
     *
     * @param chars the length of all those messages' JSON text, for the quick check
     * @param count a message's tokens, {@link #tokens(JsonObject)} or a cache of it
     */
    static Selection select(List<JsonObject> history, List<JsonObject> added, long chars, ToLongFunction<JsonObject> count, long maxTokens) {
        List<JsonObject> all = new ArrayList<>(history.size() + added.size());
        all.addAll(history);
        all.addAll(added);
        if (maxTokens <= 0 || (chars + (long) FRAMING * all.size()) * 3 <= maxTokens) {
            return new Selection(all, 0);
        }
        int lead = 0;
        while (lead < history.size() && isInstruction(history.get(lead))) {
            lead++;
        }
        long total = 0;
        for (JsonObject message : all) {
            total += count.applyAsLong(message);
        }
        int from = lead;
        while (total > maxTokens && from < history.size()) {
            int next = from + 1;
            while (next < history.size() && !"user".equals(role(history.get(next)))) {
                next++;
            }
            for (int i = from; i < next; i++) {
                total -= count.applyAsLong(history.get(i));
            }
            from = next;
        }
        List<JsonObject> kept = new ArrayList<>(history.subList(0, lead));
        kept.addAll(history.subList(from, history.size()));
        kept.addAll(added);
        return new Selection(kept, from - lead);
    }

    /** The length of a message's JSON text. */
    static long chars(JsonObject message) {
        return message.toString().length();
    }

    /** The tokens {@code message} takes in a prompt: its text and 4 of framing. */
    static long tokens(JsonObject message) {
        StringBuilder text = new StringBuilder();
        JsonValue content = message.get("content");
        if (content instanceof JsonString string) {
            text.append(string.getString());
        } else if (content != null && content.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue part : content.asJsonArray()) {
                if (part instanceof JsonObject object && object.get("text") instanceof JsonString partText) {
                    text.append(partText.getString());
                }
            }
        }
        JsonValue calls = message.get("tool_calls");
        if (calls != null && calls.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue call : calls.asJsonArray()) {
                if (call instanceof JsonObject object && object.get("function") instanceof JsonObject function) {
                    text.append(function.getString("name", "")).append(function.getString("arguments", ""));
                }
            }
        }
        return FRAMING + Tokenizer.O200K.countTokensOrdinary(text.toString());
    }

    /** Loads the tokenizer on first use, once for the application. */
    private static final class Tokenizer {
        static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    private static boolean isInstruction(JsonObject message) {
        String role = role(message);
        return "system".equals(role) || "developer".equals(role);
    }

    private static String role(JsonObject message) {
        return message.get("role") instanceof JsonString role ? role.getString() : "";
    }
}
