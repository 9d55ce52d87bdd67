package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tokens per day, counted from the usage the upstream reports: once spent, turns wait for midnight UTC. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TokenBudgetIT {

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-tokens",
                "chat.limits.tokens-per-day=1",
                "chat.simulator.first-token-delay=0",
                "chat.simulator.tokens-per-second=2000");
    }

    @Test
    void aClientThatSpentItsTokensWaitsForTheNextDay() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            JsonObject first = terminal(client);
            assertTrue(first.getJsonObject("usage").getInt("total_tokens") >= 1, first.toString());
            JsonObject error = terminal(client).getJsonObject("error");
            assertEquals("rate_limited", error.getString("code"), error.toString());
            long untilMidnight = Duration.between(Instant.now(),
                    LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)).toSeconds();
            assertTrue(Math.abs(error.getJsonNumber("retry_after").longValue() - untilMidnight) <= 5,
                    "retry_after " + error.get("retry_after") + " is the time to midnight UTC, " + untilMidnight);
        }
    }

    private static JsonObject terminal(ChatClient client) {
        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        List<String> frames = client.turn();
        return ChatClient.json(frames.get(frames.size() - 1));
    }
}
