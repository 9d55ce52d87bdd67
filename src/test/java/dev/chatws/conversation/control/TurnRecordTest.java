package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chatws.json.JsonText;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a turn's lease keeps for another server to commit if the turn's own server dies: the same nodes the turn would commit. */
class TurnRecordTest {

    @Test
    void aTurnsRecordSurvivesItsJsonAndCommitsWhatTheTurnWould() {
        JsonObject request = JsonText.object("{\"model\":\"m\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi \\ud83d\\ude00\"}]}");
        List<JsonObject> added = List.of(request.getJsonArray("messages").getJsonObject(0));
        TurnRecord record = TurnRecord.of(new Turn.Plan(Turn.Kind.TURN, List.of(), 3), added, request, "m", 4, 1_700_000_000L, "ann");
        TurnRecord back = TurnRecord.parse(record.json());
        assertEquals(record, back);
        List<HistoryStore.Node> nodes = back.nodes(Optional.of("{\"role\":\"assistant\",\"content\":\"hel\"}"));
        assertEquals(List.of(new HistoryStore.Node(4, 3, JsonText.wellFormed(added.get(0).toString()), "{\"model\":\"m\",\"temperature\":0.5}"),
                new HistoryStore.Node(5, 4, "{\"role\":\"assistant\",\"content\":\"hel\"}", null)), nodes);
        assertEquals(new HistoryStore.Summary(2, "m", dev.chatws.conversation.entity.TokenUsage.NONE),
                back.summary(nodes.size(), dev.chatws.conversation.entity.TokenUsage.NONE));
        assertEquals(1, back.nodes(Optional.empty()).size(), "nothing relayed: the user's message alone");
    }

    @Test
    void aRegeneratesRecordCommitsTheAnswerAloneAfterItsParent() {
        JsonObject request = JsonText.object("{\"type\":\"response.regenerate\"}");
        TurnRecord record = TurnRecord.parse(TurnRecord.of(new Turn.Plan(Turn.Kind.REGENERATE, List.of(), 0), List.of(), null, null, 2, 1L, null).json());
        assertNull(record.owner());
        assertEquals(List.of(new HistoryStore.Node(2, 0, "{}", null)), record.nodes(Optional.of("{}")));
        assertEquals(List.of(), record.nodes(Optional.empty()));
        assertEquals("{\"type\":\"response.regenerate\"}", TurnCommit.options(request));
    }
}
