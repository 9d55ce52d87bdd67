package dev.chatws.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void loneSurrogatesAreEscapedAndPairsKept() {
        String json = "{\"a\":\"x\ud800y\udc00z\ud83d\udc4b\",\"b\":\"\ud83d\"}";
        String written = JsonText.wellFormed(json);
        assertEquals("{\"a\":\"x\\ud800y\\udc00z\ud83d\udc4b\",\"b\":\"\\ud83d\"}", written);
        assertEquals(JsonText.object(json), JsonText.object(written), "the same JSON value");
        String plain = "{\"a\":\"w\u00f6rld \ud83d\udc4b\"}";
        assertSame(plain, JsonText.wellFormed(plain), "nothing to escape: the same string");
    }

    @Test
    void unreadableInputIsOneExceptionTypeWithoutTheInput() {
        for (String text : new String[] {"[" .repeat(1001) + "]".repeat(1001), "{\"n\":1" + "0".repeat(2000) + "}", "{\"secret\":", "[1]"}) {
            JsonText.Unreadable error = assertThrows(JsonText.Unreadable.class, () -> JsonText.object(text));
            assertFalse(error.getMessage().contains("secret"));
        }
        assertFalse(JsonText.isValue("{\"a\":" + "[".repeat(1001) + "]".repeat(1001) + "}"));
        assertTrue(JsonText.isValue("{\"city\":\"Oslo\"}"));
    }

    @Test
    void countsAndIndexesNeverThrow() {
        JsonValue huge = JsonText.object("{\"n\":1e1000000000}").get("n");
        JsonValue negative = JsonText.object("{\"n\":-1e400}").get("n");
        assertEquals(Long.MAX_VALUE, JsonText.count(huge));
        assertEquals(0, JsonText.count(negative));
        assertEquals(0, JsonText.count(JsonValue.NULL));
        assertEquals(42, JsonText.count(JsonText.object("{\"n\":42}").get("n")));
        assertEquals(3, JsonText.index(huge, 3));
        assertEquals(2, JsonText.index(JsonText.object("{\"n\":2}").get("n"), 3));
        assertTrue(JsonText.wholeAtMost(JsonText.object("{\"n\":1e2}").get("n"), 100));
        assertFalse(JsonText.wholeAtMost(huge, 100));
        assertFalse(JsonText.wholeAtMost(JsonText.object("{\"n\":0.5}").get("n"), 100));
    }
}
