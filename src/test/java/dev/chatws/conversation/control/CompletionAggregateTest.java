package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class CompletionAggregateTest {

    @Test
    void concatenatesContentAndTakesTopLevelFromFirstNonEmptyChunk() {
        CompletionAggregate aggregate = fold(
                "{'id':'','object':'','created':0,'model':'','choices':[],'prompt_filter_results':[{'prompt_index':0}]}",
                "{'id':'c1','object':'chat.completion.chunk','created':17,'model':'m','system_fingerprint':null,"
                        + "'choices':[{'index':0,'delta':{'role':'assistant','content':''},'logprobs':null,'finish_reason':null}]}",
                "{'id':'c1','object':'chat.completion.chunk','created':17,'model':'m','system_fingerprint':'fp_9','service_tier':'default',"
                        + "'choices':[{'index':0,'delta':{'content':'Hel'},'finish_reason':null}]}",
                "{'id':'c1','created':17,'model':'m','choices':[{'index':0,'delta':{'content':'lo'},'finish_reason':'stop'}]}",
                "{'id':'c1','created':17,'model':'m','choices':[],'usage':{'prompt_tokens':5,'completion_tokens':2,'total_tokens':7,"
                        + "'prompt_tokens_details':{'cached_tokens':3},'completion_tokens_details':{'reasoning_tokens':1},"
                        + "'cache_read_input_tokens':3}}");
        JsonObject expected = json("{'id':'c1','object':'chat.completion','created':17,'model':'m',"
                + "'choices':[{'index':0,'message':{'role':'assistant','content':'Hello'},'logprobs':null,'finish_reason':'stop'}],"
                + "'usage':{'prompt_tokens':5,'completion_tokens':2,'total_tokens':7,'prompt_tokens_details':{'cached_tokens':3},"
                + "'completion_tokens_details':{'reasoning_tokens':1},'cache_read_input_tokens':3},"
                + "'prompt_filter_results':[{'prompt_index':0}],'system_fingerprint':'fp_9','service_tier':'default'}");
        assertEquals(expected, aggregate.completion(false));
        assertEquals(expected.toString(), aggregate.completion(false).toString(), "member order");
        assertTrue(aggregate.finished(0));
    }

    @Test
    void keepsUnknownMembersAtEveryLevel() {
        CompletionAggregate aggregate = fold(
                "{'id':'c','x_top':{'a':1},'choices':[{'index':0,'delta':{'role':'assistant','reasoning_content':'Think'},"
                        + "'content_filter_results':{'hate':{'filtered':false,'severity':'safe'}}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'reasoning_content':'ing.','x_meta':{'k':'v'}},"
                        + "'content_filter_results':{'hate':{'filtered':false,'severity':'safe'}}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'content':'Done','x_meta':{'n':2}},'finish_reason':'stop','stop_reason':42}]}");
        JsonObject choice = aggregate.completion(false).getJsonArray("choices").getJsonObject(0);
        assertEquals(json("{'role':'assistant','reasoning_content':'Thinking.','x_meta':{'k':'v','n':2},'content':'Done'}"),
                choice.getJsonObject("message"));
        assertEquals(json("{'hate':{'filtered':false,'severity':'safe'}}"), choice.getJsonObject("content_filter_results"),
                "choice-level members are replaced, not concatenated");
        assertEquals(42, choice.getInt("stop_reason"));
        assertEquals(json("{'a':1}"), aggregate.completion(false).getJsonObject("x_top"));
    }

    @Test
    void reassemblesInterleavedParallelToolCallsByIndex() {
        CompletionAggregate aggregate = fold(
                "{'id':'c','choices':[{'index':0,'delta':{'role':'assistant','content':null,'tool_calls':["
                        + "{'index':0,'id':'call_a','type':'function','function':{'name':'weather','arguments':''}}]}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'tool_calls':["
                        + "{'index':1,'id':'call_b','type':'function','function':{'name':'time','arguments':''}}]}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{`city`:'}}]}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'arguments':'{`tz`:'}}]}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'`Oslo`}'}}]}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'arguments':'`CET`}'}}]}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}");
        JsonObject message = aggregate.completion(false).getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals(json("{'role':'assistant','content':null,'tool_calls':["
                + "{'id':'call_a','type':'function','function':{'name':'weather','arguments':'{`city`:`Oslo`}'}},"
                + "{'id':'call_b','type':'function','function':{'name':'time','arguments':'{`tz`:`CET`}'}}]}"), message);
        assertEquals(message, aggregate.assistantMessage(false).orElseThrow(), "the history keeps the tool calls");
    }

    @Test
    void repeatedIdAndNameInEveryFragmentAreNotConcatenated() {
        CompletionAggregate aggregate = fold(
                "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_a','type':'function','function':{'name':'f','arguments':'{'}}]}}]}",
                "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_a','type':'function','function':{'name':'f','arguments':'}'}}]}}]}");
        JsonObject call = aggregate.assistantMessage(false).orElseThrow().getJsonArray("tool_calls").getJsonObject(0);
        assertEquals(json("{'id':'call_a','type':'function','function':{'name':'f','arguments':'{}'}}"), call);
    }

    @Test
    void concatenatesLogprobsInOrder() {
        CompletionAggregate aggregate = fold(
                "{'choices':[{'index':0,'delta':{'content':'A'},'logprobs':{'content':[{'token':'A','logprob':-0.1,'bytes':[65],'top_logprobs':[]}],'refusal':null}}]}",
                "{'choices':[{'index':0,'delta':{'content':'B'},'logprobs':{'content':[{'token':'B','logprob':-0.2,'bytes':[66],'top_logprobs':[{'token':'B','logprob':-0.2,'bytes':[66]}]}],'refusal':null}}]}",
                "{'choices':[{'index':0,'delta':{},'logprobs':null,'finish_reason':'stop'}]}");
        JsonObject logprobs = aggregate.completion(false).getJsonArray("choices").getJsonObject(0).getJsonObject("logprobs");
        assertEquals(json("{'content':[{'token':'A','logprob':-0.1,'bytes':[65],'top_logprobs':[]},"
                + "{'token':'B','logprob':-0.2,'bytes':[66],'top_logprobs':[{'token':'B','logprob':-0.2,'bytes':[66]}]}],'refusal':null}"), logprobs);
    }

    @Test
    void keepsChoicesApartByIndex() {
        CompletionAggregate aggregate = fold(
                "{'choices':[{'index':1,'delta':{'content':'B1'}},{'index':0,'delta':{'content':'A1'}}]}",
                "{'choices':[{'index':0,'delta':{'content':'A2'},'finish_reason':'stop'},{'index':1,'delta':{'content':'B2'},'finish_reason':'length'}]}");
        var choices = aggregate.completion(false).getJsonArray("choices");
        assertEquals("A1A2", choices.getJsonObject(0).getJsonObject("message").getString("content"));
        assertEquals("B1B2", choices.getJsonObject(1).getJsonObject("message").getString("content"));
        assertEquals("length", choices.getJsonObject(1).getString("finish_reason"));
    }

    @Test
    void historyKeepsStandardMembersOnly() {
        CompletionAggregate aggregate = fold(
                "{'choices':[{'index':0,'delta':{'role':'assistant','reasoning_content':'hmm','content':'Hi','refusal':null,'x':1}}]}",
                "{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}");
        assertEquals(json("{'role':'assistant','content':'Hi'}"), aggregate.assistantMessage(false).orElseThrow());
    }

    @Test
    void cancelledTurnEndsWithCancelledAndKeepsWhatArrived() {
        CompletionAggregate aggregate = fold(
                "{'id':'c','created':5,'model':'m','choices':[{'index':0,'delta':{'role':'assistant','content':'Par'}}]}",
                "{'id':'c','choices':[{'index':0,'delta':{'content':'tial'}}]}");
        JsonObject completion = aggregate.completion(true);
        JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
        assertEquals("cancelled", choice.getString("finish_reason"));
        assertEquals("Partial", choice.getJsonObject("message").getString("content"));
        assertEquals(JsonValue.NULL, completion.get("usage"));
        assertEquals(json("{'role':'assistant','content':'Partial'}"), aggregate.assistantMessage(true).orElseThrow());
    }

    @Test
    void cancelledTurnLeavesOutCutToolCalls() {
        CompletionAggregate aggregate = fold(
                "{'choices':[{'index':0,'delta':{'role':'assistant','tool_calls':["
                        + "{'index':0,'id':'a','type':'function','function':{'name':'f','arguments':'{`x`:1}'}},"
                        + "{'index':1,'id':'b','type':'function','function':{'name':'g','arguments':'{`y`:'}}]}}]}");
        JsonObject kept = aggregate.assistantMessage(true).orElseThrow();
        assertEquals(1, kept.getJsonArray("tool_calls").size());
        assertEquals("a", kept.getJsonArray("tool_calls").getJsonObject(0).getString("id"));
        assertFalse(fold("{'choices':[{'index':0,'delta':{'role':'assistant','tool_calls':["
                + "{'index':0,'id':'b','type':'function','function':{'name':'g','arguments':'{`y'}}]}}]}")
                .assistantMessage(true).isPresent(), "nothing whole arrived, so no assistant message");
    }

    @Test
    void cancelledBeforeAnyChunkHasNullsAndNoMessage() {
        CompletionAggregate aggregate = new CompletionAggregate();
        assertEquals(json("{'id':null,'object':'chat.completion','created':null,'model':null,'choices':[{'index':0,"
                + "'message':{'role':'assistant','content':null},'logprobs':null,'finish_reason':'cancelled'}],'usage':null}"),
                aggregate.completion(true));
        assertFalse(aggregate.assistantMessage(true).isPresent());
        assertFalse(aggregate.finished(0));
    }

    static CompletionAggregate fold(String... chunks) {
        CompletionAggregate aggregate = new CompletionAggregate();
        for (String chunk : chunks) {
            aggregate.add(json(chunk));
        }
        return aggregate;
    }

    /** JSON written with ' for " and ` for an escaped quote inside a string. */
    static JsonObject json(String singleQuoted) {
        return Json.createReader(new StringReader(singleQuoted.replace('\'', '"').replace("`", "\\\""))).readObject();
    }

    @Test
    void numbersNoPrimitiveHoldsNeitherThrowNorMisplaceAChoice() {
        CompletionAggregate aggregate = fold(
                "{'id':'c','created':1e400,'choices':[{'index':0,'delta':{'role':'assistant','content':'a','tool_calls':[{'index':1e1000000000,'id':'k','type':'function','function':{'name':'f','arguments':'{}'}}]}}]}",
                "{'choices':[{'index':1e400,'delta':{'content':'b'}}]}",
                "{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':{'total_tokens':1e400}}");
        jakarta.json.JsonObject completion = aggregate.completion(false);
        assertEquals("ab", completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"), "an index no int holds counts as its position");
        assertEquals("k", completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0).getString("id"));
        assertEquals("1E+400", completion.getJsonObject("usage").get("total_tokens").toString());
    }
}
