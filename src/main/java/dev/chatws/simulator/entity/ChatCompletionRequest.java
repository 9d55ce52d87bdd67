package dev.chatws.simulator.entity;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The body of a Chat Completions request, with the members the spec names. Members that are
 * free-form in the spec ({@code tool_choice}, {@code response_format}, {@code tools}' parameter
 * schemas) are JSON values.
 *
 * <pre>{@code
 * {"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true,
 *  "stream_options":{"include_usage":true},"temperature":0.2,
 *  "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
 *  "tool_choice":"auto","response_format":{"type":"text"}}
 * }</pre>
 * The relay forwards the client's own JSON rather than this record, so members it does not name
 * (such as {@code top_k}) reach the upstream. Immutable.
 */
@JsonbPropertyOrder({"model", "messages", "stream", "streamOptions"})
public record ChatCompletionRequest(
        String model,
        List<ChatMessage> messages,
        Boolean stream,
        @JsonbProperty("stream_options") StreamOptions streamOptions,
        Double temperature,
        @JsonbProperty("top_p") Double topP,
        Integer n,
        JsonValue stop,
        @JsonbProperty("max_tokens") Integer maxTokens,
        @JsonbProperty("max_completion_tokens") Integer maxCompletionTokens,
        @JsonbProperty("presence_penalty") Double presencePenalty,
        @JsonbProperty("frequency_penalty") Double frequencyPenalty,
        @JsonbProperty("logit_bias") Map<String, Integer> logitBias,
        Boolean logprobs,
        @JsonbProperty("top_logprobs") Integer topLogprobs,
        Long seed,
        String user,
        List<Tool> tools,
        @JsonbProperty("tool_choice") JsonValue toolChoice,
        @JsonbProperty("parallel_tool_calls") Boolean parallelToolCalls,
        @JsonbProperty("response_format") JsonValue responseFormat,
        @JsonbProperty("reasoning_effort") String reasoningEffort,
        Map<String, String> metadata) {

    /** Whether the client wants a stream: {@code stream} absent means {@code true} on this product. */
    public boolean streaming() {
        return stream == null || stream;
    }

    /** Whether a usage chunk was asked for. */
    public boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /** {@code stream_options}: {@code {"include_usage":true}}. */
    public record StreamOptions(@JsonbProperty("include_usage") Boolean includeUsage) {
    }

    /** A tool the model may call: {@code {"type":"function","function":{"name":…,"parameters":{…}}}}. */
    public record Tool(String type, Function function) {

        /** The function's name, description and JSON-Schema parameters. */
        public record Function(String name, String description, JsonObject parameters, Boolean strict) {
        }
    }
}
