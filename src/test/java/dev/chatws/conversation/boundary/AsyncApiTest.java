package dev.chatws.conversation.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.chatws.conversation.entity.ConversationFrame;
import dev.chatws.conversation.entity.ErrorCode;
import dev.chatws.conversation.entity.ErrorFrame;
import dev.chatws.conversation.entity.RawFrame;
import dev.chatws.conversation.entity.ServerFrame;
import jakarta.websocket.CloseReason;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml is a valid AsyncAPI 3.0.0 document (checked against the specification's own
 * JSON Schema), and it keeps up with the code: every kind of frame the server sends, every error
 * code and every close code the server uses is described in it.
 */
class AsyncApiTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final JsonNode DOCUMENT = read();

    /** The messages of the document that each kind of server frame is sent as. */
    private static final Map<Class<?>, List<String>> SENT_AS = Map.of(
            RawFrame.class, List.of("chatCompletionChunk", "chatCompletion"),
            ErrorFrame.class, List.of("error"),
            ConversationFrame.class, List.of("conversation"));

    private static JsonNode read() {
        try {
            return YAML.readTree(Path.of("docs/asyncapi.yaml").toFile());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theDocumentIsValidAsyncApi3() throws Exception {
        try (InputStream schema = getClass().getResourceAsStream("/asyncapi/asyncapi-3.0.0-schema.json")) {
            JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
            Set<ValidationMessage> problems = validator.validate(DOCUMENT);
            assertEquals(Set.of(), problems);
        }
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(getClass().getResourceAsStream("/asyncapi/asyncapi-3.0.0-schema.json"));
        JsonNode broken = YAML.readTree("asyncapi: 3.0.0\ninfo: {title: x}\n");
        assertTrue(!validator.validate(broken).isEmpty(), "the check can fail: info without a version is refused");
    }

    @Test
    void everyKindOfFrameTheServerSendsIsDescribedAndSentByAnOperation() {
        Set<String> described = names(DOCUMENT.path("components").path("messages"));
        List<String> sent = new ArrayList<>();
        DOCUMENT.path("operations").forEach(operation -> {
            if ("send".equals(operation.path("action").asText())) {
                operation.path("messages").forEach(ref -> sent.add(ref.path("$ref").asText().replaceAll(".*/", "")));
            }
        });
        for (Class<?> kind : ServerFrame.class.getPermittedSubclasses()) {
            List<String> messages = SENT_AS.get(kind);
            assertTrue(messages != null, kind.getSimpleName() + " is a new kind of server frame: describe it in docs/asyncapi.yaml");
            for (String message : messages) {
                assertTrue(described.contains(message), message + " is described");
                assertTrue(sent.contains(message), message + " is sent by a send operation");
            }
        }
    }

    @Test
    void everyErrorCodeIsListed() {
        Set<String> listed = new TreeSet<>();
        DOCUMENT.at("/components/messages/error/payload/properties/error/properties/code/enum").forEach(code -> listed.add(code.asText()));
        Set<String> codes = new TreeSet<>();
        Arrays.stream(ErrorCode.values()).forEach(code -> codes.add(code.code()));
        assertEquals(codes, listed);
        Set<String> types = new TreeSet<>();
        DOCUMENT.at("/components/messages/error/payload/properties/error/properties/type/enum").forEach(type -> types.add(type.asText()));
        Arrays.stream(ErrorCode.values()).forEach(code -> assertTrue(types.contains(code.type()), code.type()));
    }

    @Test
    void everyCloseCodeTheServerUsesIsDescribed() throws Exception {
        Set<String> described = names(DOCUMENT.path("info").path("x-close-codes"));
        Set<String> used = new TreeSet<>();
        for (Class<?> type : List.of(ChatEndpoint.class, Sockets.class, SessionWriter.class)) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == CloseReason.class) {
                    field.setAccessible(true);
                    used.add(Integer.toString(((CloseReason) field.get(null)).getCloseCode().getCode()));
                }
            }
        }
        assertTrue(used.size() >= 8, "found the close reasons: " + used);
        assertTrue(described.containsAll(used), "described " + described + ", used " + used);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
