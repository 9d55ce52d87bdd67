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

    private static final String ISSUER = "https://issuer.telemetry.test";
    private static final java.security.KeyPair KEYS = AuthIT.rsa();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-telemetry",
                "mp.jwt.verify.publickey=" + java.util.Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                "mp.jwt.verify.issuer=" + ISSUER,
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
    void noFormOfTheTokenIsInAnySpanMetricOrLogLine() throws Exception {
        String inQuery = AuthIT.token("quentin", ISSUER, KEYS.getPrivate(), 300);
        String offered = AuthIT.token("sophie", ISSUER, KEYS.getPrivate(), 300);
        try (ChatClient client = ChatClient.connect(base.toURI(), "access_token=" + inQuery)) {
            assertEquals("conversation", client.nextJson().getString("object"), "the token in the query was accepted");
            ConversationStoreIT.turn(client, "hello");
        }
        try (ChatClient client = ChatClient.connectOffering(base.toURI(), null, "chat-ws", "bearer." + offered)) {
            assertEquals("conversation", client.nextJson().getString("object"), "the offered token was accepted");
            ConversationStoreIT.turn(client, "hello");
        }
        // Liberty's server span records the query string of the request the endpoint sees, which has no token.
        String log = awaitInLog(List.of("url.query=chatws.user=quentin", "url.query=chatws.user=sophie"));
        assertTrue(log.contains("url.query=chatws.user=quentin"), "the upgrade's server span, its query without the token");
        assertTrue(log.contains("url.query=chatws.user=sophie"), "the upgrade's server span for the offered token");
        for (String token : List.of(inQuery, offered)) {
            for (String part : token.split("\\.")) {
                assertFalse(log.contains(part), "no part of a token is in the log, spans or metrics");
            }
        }
    }

    private static String awaitInLog(List<String> wanted) throws Exception {
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
        return log;
    }

    @Test
    void aTurnIsASpanAndMetricsWithoutContent() throws Exception {
        try (ChatClient client = ChatClient.open(base.toURI())) {
            ConversationStoreIT.turn(client, SECRET_WORDS);
        }
        List<String> wanted = List.of("'chat gpt-4o-mini'", "gen_ai.usage.input_tokens", "gen_ai.response.finish_reasons",
                "name=gen_ai.client.operation.duration", "name=gen_ai.client.token.usage", "name=chat.turns,", "name=chat.turns.started",
                "name=chat.frames.relayed", "name=chat.sockets.open", "name=chat.turn.time_to_first_chunk", "name=chat.tokens");
        String log = awaitInLog(wanted);
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
