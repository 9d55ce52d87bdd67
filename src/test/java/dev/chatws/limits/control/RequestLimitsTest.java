package dev.chatws.limits.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {

    private static final String ONE = "{\"role\":\"user\",\"content\":\"hi\"}";

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static String param(String request, int maxMessages, long maxTokens, Set<String> models) {
        return RequestLimits.check(json(request), maxMessages, maxTokens, models).orElseThrow().param();
    }

    @Test
    void withinEveryCapPasses() {
        String request = "{\"model\":\"a\",\"max_tokens\":100,\"max_completion_tokens\":50,\"messages\":[" + ONE + "," + ONE + "]}";
        assertTrue(RequestLimits.check(json(request), 2, 100, Set.of("a", "b")).isEmpty());
        assertTrue(RequestLimits.check(json("{\"messages\":[" + ONE + "],\"max_tokens\":1000000}"), 2, 0, Set.of()).isEmpty(),
                "no caps configured: anything");
        assertTrue(RequestLimits.check(json("{\"messages\":[" + ONE + "]}"), 2, 100, Set.of("a")).isEmpty(),
                "no model named: the default model");
    }

    @Test
    void eachCapNamesTheMemberItTrips() {
        assertEquals("messages", param("{\"messages\":[" + ONE + "," + ONE + "," + ONE + "]}", 2, 0, Set.of()));
        assertEquals("max_tokens", param("{\"messages\":[" + ONE + "],\"max_tokens\":101}", 2, 100, Set.of()));
        assertEquals("max_completion_tokens", param("{\"messages\":[" + ONE + "],\"max_completion_tokens\":1e9}", 2, 100, Set.of()));
        assertEquals("max_tokens", param("{\"messages\":[" + ONE + "],\"max_tokens\":\"5\"}", 2, 100, Set.of()));
        assertEquals("model", param("{\"messages\":[" + ONE + "],\"model\":\"c\"}", 2, 0, Set.of("a", "b")));
    }

    @Test
    void numbersNoPrimitiveHoldsAreJudgedByTheirValue() {
        for (String number : new String[] {"1e400", "1e1000000000", "-1", "-1e400", "1" + "0".repeat(1000), "1.5", "18446744073709551716"}) {
            assertEquals("max_tokens", param("{\"messages\":[" + ONE + "],\"max_tokens\":" + number + "}", 2, 100, Set.of()), number);
        }
        assertTrue(RequestLimits.check(json("{\"messages\":[" + ONE + "],\"max_tokens\":1e2}"), 2, 100, Set.of()).isEmpty(), "1e2 is 100");
        assertTrue(RequestLimits.check(json("{\"messages\":[" + ONE + "],\"max_tokens\":100.00}"), 2, 100, Set.of()).isEmpty(), "100.00 is whole");
    }
}
