package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MicroProfile Telemetry with OpenTelemetry's logging exporters (the documented way to look at
 * them locally): a turn yields a {@code chat MODEL} span with GenAI attributes and the metrics,
 * in the server's log; no message content is in any of it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TelemetryIT {

    private static final Path LOG = Path.of(System.getProperty("wlp.home", "target/liberty/wlp"), "usr/servers/arquillian/logs/messages.log");
    private static final String SECRET_WORDS = "ultramarine pangolin telemetry";

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-telemetry",
                "otel.sdk.disabled=false",
                "otel.service.name=chat-ws",
                "otel.traces.exporter=logging",
                "otel.metrics.exporter=logging",
                "otel.logs.exporter=none",
                "otel.metric.export.interval=500",
                "chat.simulator.first-token-delay=0",
                "chat.simulator.tokens-per-second=2000");
    }

    @Test
    void aTurnIsASpanAndMetricsWithoutContent() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            ConversationStoreIT.turn(client, SECRET_WORDS);
        }
        List<String> wanted = List.of("'chat gpt-4o-mini'", "gen_ai.usage.input_tokens", "gen_ai.response.finish_reasons",
                "name=gen_ai.client.operation.duration", "name=gen_ai.client.token.usage", "name=chat.turns,", "name=chat.turns.started",
                "name=chat.frames.relayed", "name=chat.sockets.open", "name=chat.turn.time_to_first_chunk", "name=chat.tokens");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String log = "";
        while (System.nanoTime() < deadline) {
            log = Files.readString(LOG);
            String seen = log;
            if (wanted.stream().allMatch(seen::contains)) {
                break;
            }
            Thread.sleep(200);
        }
        for (String item : wanted) {
            assertTrue(log.contains(item), item + " is in the exported telemetry");
        }
        assertFalse(log.contains("ultramarine"), "no message content in spans, metrics or logs");
        Matcher turn = Pattern.compile("'chat gpt-4o-mini' : ([0-9a-f]{32}) ([0-9a-f]{16}) CLIENT").matcher(log);
        assertTrue(turn.find(), "the turn's span");
        Matcher upstream = Pattern.compile("'POST' : ([0-9a-f]{32}) [0-9a-f]{16} CLIENT .*simulator/v1/chat/completions").matcher(log);
        assertTrue(upstream.find(), "the upstream call's span");
        assertEquals(turn.group(1), upstream.group(1), "the upstream call is in the turn's trace");
    }
}
