package dev.chatws.simulator.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.simulator.entity.ChatCompletionChunk;
import dev.chatws.simulator.entity.ChatCompletionRequest;
import dev.chatws.simulator.entity.ToolCall;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The simulated model without a container: what it answers, and that its stream adds up to it. */
class SimulatedModelTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private final SimulatedModel model = new SimulatedModel();

    private static ChatCompletionRequest request(String json) {
        return JSONB.fromJson(json, ChatCompletionRequest.class);
    }

    @Test
    void itRemembersWhatTheUserSaidTurnByTurn() {
        SimulatedModel.Reply first = model.reply(request("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertEquals("Hello! This is turn 1 of our conversation. You said: \"hi\".", first.text());
        SimulatedModel.Reply second = model.reply(request("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"…\"},{\"role\":\"user\",\"content\":\"again\"}]}"));
        assertEquals("This is turn 2 of our conversation. You said: \"again\". Before that you said: \"hi\".", second.text());
    }

    @Test
    void withToolsItCallsThemInParallelAndThenReadsTheirAnswers() {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}},{\"type\":\"function\",\"function\":{\"name\":\"b\"}}]";
        SimulatedModel.Reply calls = model.reply(request("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]," + tools + "}"));
        assertNull(calls.text());
        assertEquals(List.of("a", "b"), calls.toolCalls().stream().map(call -> call.function().name()).toList());
        assertEquals("{\"query\":\"q\",\"call\":1}", calls.toolCalls().get(0).function().arguments());
        SimulatedModel.Reply answer = model.reply(request("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"x\",\"content\":\"1\"},{\"role\":\"tool\",\"tool_call_id\":\"y\",\"content\":\"2\"}]," + tools + "}"));
        assertEquals("Turn 1. The tools answered: 1; 2.", answer.text());
    }

    @Test
    void theStreamedFragmentsOfToolCallsReassembleToTheCalls() {
        List<ToolCall> calls = List.of(new ToolCall(0, "c0", "function", new ToolCall.FunctionCall("a", "{\"query\":\"a long one\",\"call\":1}")),
                new ToolCall(1, "c1", "function", new ToolCall.FunctionCall("b", "{\"call\":2}")));
        List<ToolCall> fragments = SimulatedModel.fragments(calls);
        for (ToolCall call : calls) {
            String arguments = fragments.stream().filter(f -> f.index() == call.index()).map(f -> f.function().arguments()).collect(Collectors.joining());
            assertEquals(call.function().arguments(), arguments);
        }
        assertEquals(1, fragments.get(1).index(), "interleaved: both heads first");
    }

    @Test
    void aStreamIsTheReplyTokenByTokenThenItsFinishReasonThenUsage() throws Exception {
        model.firstTokenDelaySeconds = 0;
        model.tokensPerSecond = Double.POSITIVE_INFINITY;
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletionRequest request = request("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        model.stream(request, chunks::add);
        String text = chunks.stream().filter(chunk -> !chunk.choices().isEmpty())
                .map(chunk -> chunk.choices().get(0).delta().contentText()).filter(t -> t != null && !"null".equals(t)).collect(Collectors.joining());
        assertEquals(model.reply(request).text(), text);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty() && last.usage() != null, "the usage chunk last");
        assertEquals("stop", chunks.get(chunks.size() - 2).choices().get(0).finishReason());
        assertEquals(SimulatedModel.tokens(text).size(), chunks.size() - 3, "one chunk per token between the role and the finish");
    }
}
