package dev.chatws.upstream.control;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream's refusal because the prompt is longer than the model's context (PROTOCOL §11), and
 * what it said of the sizes. The one list of how servers word it:
 * <ul>
 * <li>OpenAI and Azure OpenAI: {@code error.code} {@code context_length_exceeded} ("This model's
 * maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens");
 * <li>llama.cpp: {@code error.type} {@code exceed_context_size_error} with {@code n_ctx} and
 * {@code n_prompt_tokens} ("request (6030 tokens) exceeds the available context size (4096
 * tokens)");
 * <li>vLLM (also at the top level, {@code "object":"error"}) and servers behind LiteLLM: "This
 * model's maximum context length is N tokens. However, you requested M tokens";
 * <li>Ollama: "input length exceeds the context length"; Anthropic-compatible gateways: "prompt is
 * too long".
 * </ul>
 * Only HTTP 400 and 413 are read this way. Immutable.
 *
 * @param contextTokens the model's context, if the upstream said
 * @param promptTokens  how long the prompt was by the model's count, if the upstream said
 */
public record ContextOverflow(OptionalLong contextTokens, OptionalLong promptTokens) {

    private static final List<String> CODES = List.of("context_length_exceeded", "exceed_context_size_error");
    /** "maximum context length is 4096 tokens. However, you requested 5000 tokens" (OpenAI, vLLM). */
    private static final Pattern MAXIMUM = Pattern.compile("(?i)maximum context length is (\\d+) tokens.*?(?:requested|resulted in) (\\d+) tokens");
    /** "request (6030 tokens) exceeds the available context size (4096 tokens)" (llama.cpp). */
    private static final Pattern AVAILABLE = Pattern.compile("(?i)\\((\\d+) tokens\\) exceeds the available context size \\((\\d+) tokens\\)");
    private static final Pattern WORDING = Pattern.compile(
            "(?i)(maximum context length|exceeds the (available )?context (size|length|window)|input length exceeds|prompt is too long|context_length_exceeded)");

    /** What {@code body} (an error answer with {@code status}) says, if it is a context overflow. */
    static java.util.Optional<ContextOverflow> of(int status, JsonObject body) {
        if ((status != 400 && status != 413) || body == null) {
            return java.util.Optional.empty();
        }
        JsonObject error = body.get("error") instanceof JsonObject nested ? nested : body;
        String message = error.get("message") instanceof JsonString text ? text.getString() : "";
        boolean coded = CODES.contains(String.valueOf(string(error, "code"))) || CODES.contains(String.valueOf(string(error, "type")));
        if (!coded && !WORDING.matcher(message).find()) {
            return java.util.Optional.empty();
        }
        OptionalLong context = number(error, "n_ctx");
        OptionalLong prompt = number(error, "n_prompt_tokens");
        Matcher maximum = MAXIMUM.matcher(message);
        Matcher available = AVAILABLE.matcher(message);
        if (context.isEmpty() && maximum.find()) {
            context = OptionalLong.of(Long.parseLong(maximum.group(1)));
            prompt = OptionalLong.of(Long.parseLong(maximum.group(2)));
        } else if (context.isEmpty() && available.find()) {
            context = OptionalLong.of(Long.parseLong(available.group(2)));
            prompt = OptionalLong.of(Long.parseLong(available.group(1)));
        }
        return java.util.Optional.of(new ContextOverflow(context, prompt));
    }

    /**
     * The token budget to try next, given that a prompt this server estimated at
     * {@code estimatedTokens} was too long: scaled by context / prompt where the upstream said
     * both, with a tenth held back (tokenizers differ, and the answer needs room); else half.
     */
    public long smallerBudget(long estimatedTokens) {
        if (contextTokens.isPresent() && promptTokens.isPresent() && promptTokens.getAsLong() > 0) {
            double ratio = (double) contextTokens.getAsLong() / promptTokens.getAsLong();
            return Math.max(1, (long) (estimatedTokens * Math.min(ratio, 1.0) * 0.9));
        }
        return Math.max(1, estimatedTokens / 2);
    }

    private static String string(JsonObject object, String member) {
        return object.get(member) instanceof JsonString text ? text.getString() : null;
    }

    private static OptionalLong number(JsonObject object, String member) {
        return object.get(member) instanceof JsonNumber value ? OptionalLong.of(value.longValue()) : OptionalLong.empty();
    }
}
