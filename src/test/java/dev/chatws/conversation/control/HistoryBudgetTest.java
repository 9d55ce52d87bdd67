package dev.chatws.conversation.control;

import static dev.chatws.conversation.control.CompletionAggregateTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryBudgetTest {

    /** Each test message says how many tokens it counts as in {@code t}. */
    private static long count(JsonObject message) {
        return message.getInt("t");
    }

    private static final List<JsonObject> HISTORY = List.of(
            json("{'role':'system','content':'be brief','t':10}"),
            json("{'role':'developer','content':'rules','t':10}"),
            json("{'role':'user','content':'turn 1','t':100}"),
            json("{'role':'assistant','content':null,'tool_calls':[{'id':'a','type':'function','function':{'name':'f','arguments':'{}'}}],'t':100}"),
            json("{'role':'tool','tool_call_id':'a','content':'x','t':100}"),
            json("{'role':'assistant','content':'done','t':100}"),
            json("{'role':'user','content':'turn 2','t':100}"),
            json("{'role':'assistant','content':'ok','t':100}"));
    private static final List<JsonObject> ADDED = List.of(json("{'role':'user','content':'turn 3','t':100}"));

    private static List<String> contents(List<JsonObject> messages) {
        return messages.stream().map(m -> m.isNull("content") ? "calls" : m.getString("content")).toList();
    }

    @Test
    void everythingGoesWhenItFits() {
        HistoryBudget.Selection all = new HistoryBudget(1000).select(HISTORY, ADDED, 1_000_000, HistoryBudgetTest::count);
        assertEquals(9, all.messages().size());
        assertEquals(0, all.trimmed());
        assertEquals(9, new HistoryBudget(0).select(HISTORY, ADDED, 1_000_000, HistoryBudgetTest::count).messages().size(), "0: no budget");
    }

    @Test
    void dropsWholeOldestTurnsButKeepsInstructionsAndToolResultsWithTheirCalls() {
        HistoryBudget.Selection sent = new HistoryBudget(420).select(HISTORY, ADDED, 1_000_000, HistoryBudgetTest::count);
        assertEquals(List.of("be brief", "rules", "turn 2", "ok", "turn 3"), contents(sent.messages()));
        assertEquals(4, sent.trimmed(), "turn 1 with its tool call, tool result and answer");

        HistoryBudget.Selection roomier = new HistoryBudget(720).select(HISTORY, ADDED, 1_000_000, HistoryBudgetTest::count);
        assertEquals(9, roomier.messages().size(), "720 holds all 720 tokens");
        HistoryBudget.Selection tighter = new HistoryBudget(719).select(HISTORY, ADDED, 1_000_000, HistoryBudgetTest::count);
        assertEquals(List.of("be brief", "rules", "turn 2", "ok", "turn 3"), contents(tighter.messages()),
                "never part of a turn: the tool result does not stay without its call");
    }

    @Test
    void theNewMessagesAlwaysGoEvenOverTheBudget() {
        HistoryBudget.Selection sent = new HistoryBudget(50).select(HISTORY, ADDED, 1_000_000, HistoryBudgetTest::count);
        assertEquals(List.of("be brief", "rules", "turn 3"), contents(sent.messages()));
        assertEquals(6, sent.trimmed());
    }

    @Test
    void aShortHistoryIsNotTokenizedAtAll() {
        HistoryBudget.Selection sent = new HistoryBudget(1000).select(HISTORY, ADDED, 10, message -> {
            throw new AssertionError("tokenized although 10 characters cannot pass 1000 tokens");
        });
        assertEquals(9, sent.messages().size());
    }

    @Test
    void countsWithOpenAisTokenizer() {
        long hello = HistoryBudget.tokens(json("{'role':'user','content':'Hello, world!'}"));
        assertEquals(4 + 4, hello, "'Hello, world!' is 4 o200k tokens, plus 4 of framing");
        long withCall = HistoryBudget.tokens(json("{'role':'assistant','content':null,'tool_calls':[{'id':'a','type':'function',"
                + "'function':{'name':'get_weather','arguments':'{`city`:`Oslo`}'}}]}"));
        assertTrue(withCall > 8, "tool names and arguments count: " + withCall);
    }
}
