package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.CompletionAggregateTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.entity.ChatRequest;
import dev.chatws.conversation.entity.ErrorFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidatorTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "{'messages':[{'role':'user','content':'hi'}]}",
        "{'messages':[{'role':'system','content':'be brief'},{'role':'developer','content':'x'},"
                + "{'role':'user','content':[{'type':'text','text':'look'},{'type':'image_url','image_url':{'url':'data:,'}}]}]}",
        "{'messages':[{'role':'assistant','content':null,'tool_calls':[{'id':'a','type':'function','function':{'name':'f','arguments':'{}'}}]}]}",
        "{'messages':[{'role':'assistant','tool_calls':[{'id':'a','type':'function','function':{'name':'f','arguments':'{}'}}]}]}",
        "{'messages':[{'role':'tool','tool_call_id':'a','content':'12 C'}],'model':'m','stream':false,'top_k':3,'temperature':'odd'}"
    })
    void acceptsValidRequests(String request) {
        assertTrue(RequestValidator.check(new ChatRequest(json(request))).isEmpty(), request);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}                                                              | messages",
        "{'messages':'hi'}                                               | messages",
        "{'messages':{}}                                                 | messages",
        "{'messages':[]}                                                 | messages",
        "{'messages':['hi']}                                             | messages[0]",
        "{'messages':[{'content':'hi'}]}                                 | messages[0].role",
        "{'messages':[{'role':'wizard','content':'hi'}]}                 | messages[0].role",
        "{'messages':[{'role':7,'content':'hi'}]}                        | messages[0].role",
        "{'messages':[{'role':'user','content':'a'},{'role':'user'}]}    | messages[1].content",
        "{'messages':[{'role':'user','content':null}]}                   | messages[0].content",
        "{'messages':[{'role':'user','content':42}]}                     | messages[0].content",
        "{'messages':[{'role':'user','content':{'text':'x'}}]}           | messages[0].content",
        "{'messages':[{'role':'user','content':['x']}]}                  | messages[0].content[0]",
        "{'messages':[{'role':'assistant','content':null}]}              | messages[0].content",
        "{'messages':[{'role':'assistant','tool_calls':[]}]}             | messages[0].content",
        "{'messages':[{'role':'tool','content':'x'}]}                    | messages[0].tool_call_id",
        "{'messages':[{'role':'tool','content':'x','tool_call_id':1}]}   | messages[0].tool_call_id",
        "{'messages':[{'role':'user','content':'x'}],'model':4}          | model",
        "{'messages':[{'role':'user','content':'x'}],'model':null}       | model",
        "{'messages':[{'role':'user','content':'x'}],'stream':'yes'}     | stream"
    })
    void rejectsWithTheOffendingParam(String request, String param) {
        ErrorFrame error = RequestValidator.check(new ChatRequest(json(request))).orElseThrow(() -> new AssertionError(request));
        assertEquals("invalid_request", error.error().code());
        assertEquals("invalid_request_error", error.error().type());
        assertEquals(param, error.error().param());
    }
}
