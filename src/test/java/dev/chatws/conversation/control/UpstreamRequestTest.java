package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.CompletionAggregateTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamRequestTest {

    private static final List<jakarta.json.JsonObject> HISTORY = List.of(
            json("{'role':'user','content':'hi','x_client':1}"),
            json("{'role':'assistant','content':'Hello'}"));

    @Test
    void prependsHistoryKeepsEveryMemberInOrderAndForcesUsage() {
        String body = body(HISTORY, "{'temperature':0.5,'messages':[{'role':'user','content':'again','name':'ann'}],"
                + "'top_k':40,'stream_options':{'x':true,'include_usage':false},'model':'mine'}");
        assertEquals(json("{'temperature':0.5,'messages':[{'role':'user','content':'hi','x_client':1},"
                + "{'role':'assistant','content':'Hello'},{'role':'user','content':'again','name':'ann'}],"
                + "'top_k':40,'stream_options':{'x':true,'include_usage':true},'model':'mine','stream':true}").toString(), body);
    }

    @Test
    void defaultsModelAndAsksForUsageWhenStreaming() {
        assertEquals(json("{'model':'dflt','messages':[{'role':'user','content':'a'}],'stream':true,"
                + "'stream_options':{'include_usage':true}}").toString(),
                body(List.of(), "{'messages':[{'role':'user','content':'a'}]}"));
    }

    @Test
    void nonStreamingDropsStreamOptions() {
        assertEquals(json("{'model':'dflt','messages':[{'role':'user','content':'a'}],'stream':false}").toString(),
                body(List.of(), "{'messages':[{'role':'user','content':'a'}],'stream':false,'stream_options':{'include_usage':true}}"));
    }

    @Test
    void writesHistoryMessagesAsTheirStoredTextVerbatim() {
        jakarta.json.JsonObject stored = json("{'role':'user','content':'hi'}");
        jakarta.json.JsonObject request = json("{'messages':[{'role':'user','content':'b'}]}");
        List<jakarta.json.JsonObject> messages = List.of(stored, request.getJsonArray("messages").getJsonObject(0));
        String text = "{\"content\": \"hi\",  \"role\": \"user\"}";
        String body = new String(UpstreamRequest.body(messages, m -> m == stored ? text : m.toString(), request, "dflt"),
                StandardCharsets.UTF_8);
        assertEquals("{\"model\":\"dflt\",\"messages\":[" + text + ",{\"role\":\"user\",\"content\":\"b\"}],"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}", body);
    }

    @Test
    void escapesMemberNamesAsJsonDoes() {
        String request = "{'messages':[{'role':'user','content':'a'}],'odd \\\\ \\\"name\\\"':1,'stream':false}";
        assertEquals("{\"model\":\"dflt\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"odd \\\\ \\\"name\\\"\":1,\"stream\":false}",
                body(List.of(), request));
    }

    private static String body(List<jakarta.json.JsonObject> history, String request) {
        jakarta.json.JsonObject body = json(request);
        List<jakarta.json.JsonObject> messages = new java.util.ArrayList<>(history);
        body.getJsonArray("messages").forEach(m -> messages.add(m.asJsonObject()));
        return new String(UpstreamRequest.body(messages, body, "dflt"), StandardCharsets.UTF_8);
    }
}
