package dev.chatws.simulator.entity;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * A tool call of an assistant message, or one fragment of it in a chunk. Fragments carry
 * {@code index}; {@code id}, {@code type} and {@code function.name} usually come only in the
 * first fragment, {@code function.arguments} in pieces.
 *
 * <pre>{@code
 * {"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}
 * {"index":0,"function":{"arguments":"{\"city\":"}}
 * }</pre>
 * Immutable.
 */
@JsonbPropertyOrder({"index", "id", "type", "function"})
public record ToolCall(Integer index, String id, String type, FunctionCall function) {

    /** The name and (JSON text) arguments of a function call, or fragments of them. */
    @JsonbPropertyOrder({"name", "arguments"})
    public record FunctionCall(String name, String arguments) {
    }
}
