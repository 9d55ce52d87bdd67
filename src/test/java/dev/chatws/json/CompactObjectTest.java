package dev.chatws.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link JsonText#streamedObject} reads what {@link JsonText#object} reads, into {@link CompactObject}s. */
class CompactObjectTest {

    /** Events as a real llama.cpp server sent them (../shared/upstream-samples/llama.cpp), and edge cases. */
    private static final List<String> TEXTS = List.of(
            """
            {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1796149337,\
            "id":"chatcmpl-MOyRRWHMwB5b8m2slcjxfBP02eK4Cceo","model":"tiny-random-llama","system_fingerprint":"b1-80fb11a",\
            "object":"chat.completion.chunk"}""",
            """
            {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" received"},"logprobs":{"content":[{"id":3949,\
            "token":" received","bytes":[32,114,101,99,101,105,118,101,100],"logprob":-5.626372814178467,"top_logprobs":[{"id":2421,\
            "token":" few","bytes":[32,102,101,119],"logprob":-4.361658573150635}]}]}}],"created":1796149352,\
            "id":"chatcmpl-txtUSQ1Pb0i2mS51EvU8wg3sKD2W74wG","model":"tiny-random-llama","object":"chat.completion.chunk"}""",
            """
            {"choices":[{"finish_reason":null,"index":0,"delta":{"tool_calls":[{"index":0,"id":"tc3IBc8BNjLmsGekJ4xCFWR6ROI9SFGL",\
            "type":"function","function":{"name":"get_weather","arguments":"{"}}]}}],"created":1796149345,"id":"chatcmpl-53ag",\
            "model":"tiny-random-llama","object":"chat.completion.chunk"}""",
            """
            {"choices":[],"created":1796149337,"id":"chatcmpl-MOyR","model":"tiny-random-llama","object":"chat.completion.chunk",\
            "usage":{"completion_tokens":29,"prompt_tokens":30,"total_tokens":59,"prompt_tokens_details":{"cached_tokens":0}},\
            "timings":{"cache_n":0,"prompt_ms":3.389,"prompt_per_second":8852.168781351433,"predicted_n":29}}""",
            "{}",
            "{\"a\":1,\"b\":{\"c\":[{\"d\":true},false,null,[],{}]},\"a\":{\"x\":2},\"e\":\"\\u00e9\\ud83d\\udc4b\\n\"}",
            "{\"n\":-0.0,\"m\":1e400,\"k\":12345678901234567890,\"s\":\"\",\"o\":{\"o\":{\"o\":{\"o\":{}}}}}",
            " {\"trailing\":1} ignored, as the provider's reader ignores it");

    @Test
    void readsTheObjectTheProviderReads() {
        for (String text : TEXTS) {
            JsonObject tree = JsonText.object(text);
            JsonObject compact = JsonText.streamedObject(text);
            assertInstanceOf(CompactObject.class, compact);
            assertEquals(tree, compact, text);
            assertEquals(compact, tree, text);
            assertEquals(tree.hashCode(), compact.hashCode(), text);
            assertEquals(tree.toString(), compact.toString(), "members in the order read: " + text);
            assertEquals(List.copyOf(tree.keySet()), List.copyOf(compact.keySet()), text);
        }
    }

    @Test
    void readsAnObjectOfManyMembersAsTheProviderDoes() {
        // Past CompactObject.SCAN_LIMIT members names are found through a hash index: repeated names
        // before and after that point keep their first place and their last value.
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) {
            text.append("\"m").append(i % 600).append("\":").append(i).append(',');
        }
        text.append("\"m3\":{\"a\":[1]}}");
        JsonObject tree = JsonText.object(text.toString());
        JsonObject compact = JsonText.streamedObject(text.toString());
        assertEquals(600, compact.size());
        assertEquals(tree, compact);
        assertEquals(tree.toString(), compact.toString());
        assertEquals(602, compact.getInt("m2"));
        assertEquals(999, compact.getInt("m399"));
        assertEquals(tree.get("m3"), compact.get("m3"));
        assertFalse(compact.containsKey("m600"));
    }

    @Test
    void failsWhereTheProviderFails() {
        for (String text : new String[] {"{\"a\":" + "[".repeat(1001) + "]".repeat(1001) + "}", "{\"n\":1" + "0".repeat(2000) + "}",
                "{\"secret\":", "[1]", "", "\"text\"", "{\"a\" 1}", "{\"a\":1,}"}) {
            assertThrows(JsonText.Unreadable.class, () -> JsonText.object(text), text);
            JsonText.Unreadable error = assertThrows(JsonText.Unreadable.class, () -> JsonText.streamedObject(text), text);
            assertFalse(error.getMessage().contains("secret"));
        }
    }

    @Test
    void answersAsAJsonObjectDoes() {
        JsonObject object = JsonText.streamedObject("{\"s\":\"x\",\"i\":7,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":[1]},\"s\":\"y\"}");
        assertEquals("y", object.getString("s"));
        assertEquals("d", object.getString("i", "d"));
        assertEquals("d", object.getString("absent", "d"));
        assertEquals(7, object.getInt("i"));
        assertEquals(3, object.getInt("s", 3));
        assertTrue(object.getBoolean("t"));
        assertFalse(object.getBoolean("f", true));
        assertTrue(object.getBoolean("z", true));
        assertThrows(ClassCastException.class, () -> object.getBoolean("s"));
        assertThrows(NullPointerException.class, () -> object.getBoolean("absent"));
        assertTrue(object.isNull("z"));
        assertFalse(object.isNull("s"));
        assertEquals(1, object.getJsonObject("o").getJsonArray("k").getInt(0));
        assertEquals(JsonValue.ValueType.OBJECT, object.getValueType());
        assertEquals(List.of("s", "i", "t", "f", "z", "o"), List.copyOf(object.keySet()), "a repeated name keeps its first place");
        assertEquals(6, object.size());
        assertTrue(object.containsKey("o"));
        assertFalse(object.containsKey("absent"));
        assertThrows(UnsupportedOperationException.class, () -> object.put("n", JsonValue.NULL));
        assertThrows(UnsupportedOperationException.class, () -> object.entrySet().iterator().remove());
    }
}
