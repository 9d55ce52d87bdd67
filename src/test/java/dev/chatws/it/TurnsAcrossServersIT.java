package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three Liberty servers on one PostgreSQL database, no stickiness: a turn running on one server is
 * watched from another (every frame relayed so far, then the rest, then the terminal frame, as on
 * its own server), refused as {@code turn_in_progress} and cancelled from any of them; a turn
 * whose server is killed (SIGKILL) is ended as cancelled by another one with what was relayed,
 * committed once; a database restart mid-turn ends the turn cleanly and the servers go on; the
 * README's HAProxy round-robin example, no stickiness, in front of them; two servers starting at
 * once on an empty schema make its tables one at a time and count a client's turns together. The
 * built-in simulated model answers slowly (20 tokens per second) so that turns are long enough to
 * move between servers.
 */
class TurnsAcrossServersIT {

    private static LibertyNode a;
    private static LibertyNode b;
    private static LibertyNode c;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        Map<String, String> env = env("PT10S");
        a = LibertyNode.create("chatws-turns-a", env);
        b = LibertyNode.create("chatws-turns-b", env);
        c = LibertyNode.create("chatws-turns-c", env);
        LibertyNode.startAll(a, b, c);
    }

    @AfterAll
    static void stopNodes() throws Exception {
        LibertyNode.closeAll(a, b, c);
    }

    @Test
    void aTurnOnOneServerIsWatchedFromAnotherAndCancelledFromAThird() throws Exception {
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            String id = onA.nextJson().getString("id");
            onA.send(request(words(120)));
            List<String> seenOnA = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                seenOnA.add(onA.next());
            }
            try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id);
                    ChatClient onC = ChatClient.connect(c.base(), "conversation=" + id)) {
                assertEquals("conversation", onB.nextJson().getString("object"));
                assertEquals("conversation", onC.nextJson().getString("object"));
                List<String> seenOnB = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    seenOnB.add(onB.next());
                }
                assertEquals("turn_in_progress", error(firstAnswer(onB, request("from B"), seenOnB)), "B refuses a second turn");
                assertEquals("turn_in_progress", error(firstAnswer(onB, "{\"type\":\"response.regenerate\"}", seenOnB)), "and a regenerate");
                onC.send("{\"type\":\"response.cancel\"}");
                seenOnA.addAll(onA.turn());
                seenOnB.addAll(onB.turn());
                List<String> seenOnC = onC.turn();
                assertEquals(seenOnA, seenOnB, "B got every frame A's socket got, in order, none twice, the terminal frame last");
                assertEquals(ChatClient.last(seenOnA), ChatClient.last(seenOnC), "C got the same terminal frame");
                JsonObject terminal = ChatClient.json(ChatClient.last(seenOnA));
                assertEquals("cancelled", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
                String shown = terminal.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
                for (LibertyNode node : new LibertyNode[] {a, b, c}) {
                    List<JsonObject> history = messages(node, id);
                    assertEquals(2, history.size(), "the user's message and the partial answer, once: " + history);
                    assertEquals(shown, history.get(1).getString("content"), "what the user saw is what the history holds");
                }
                assertTrue(onB.quietFor(300), "nothing follows the terminal frame");
                onB.send(request("next, on B"));
                assertTrue(ChatClient.last(onB.turn()).contains("turn 2"), "B's next turn has A's turn in its history");
            }
        }
    }

    @Test
    void aSocketThatMovesToAnotherServerMidTurnGetsTheWholeTurn() throws Exception {
        String id;
        List<String> seenOnA = new ArrayList<>();
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            id = onA.nextJson().getString("id");
            onA.send(request(words(60)));
            for (int i = 0; i < 3; i++) {
                seenOnA.add(onA.next());
            }
        }
        // The socket on A is gone (the turn runs on there for the resume grace); the client comes back on B.
        try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
            assertEquals("conversation", onB.nextJson().getString("object"));
            List<String> seenOnB = onB.turn();
            assertEquals(seenOnA, seenOnB.subList(0, seenOnA.size()), "B starts with what was relayed before the move");
            assertEquals(seenOnB.size(), seenOnB.stream().distinct().count(), "no frame twice");
            JsonObject terminal = ChatClient.json(ChatClient.last(seenOnB));
            assertEquals("stop", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"), "the turn ran to its end");
            String content = terminal.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
            assertEquals(content, deltas(seenOnB), "the chunks B got add up to the answer");
        }
        assertEquals(2, messages(c, id).size(), "committed once");
    }

    @Test
    void aTurnWhoseServerIsKilledIsEndedByAnotherWithWhatWasRelayed() throws Exception {
        try (LibertyNode victim = LibertyNode.create("chatws-turns-victim", env("PT4S"))) {
            victim.start();
            String watchedId;
            String unwatchedId;
            List<String> seenOnB = new ArrayList<>();
            try (ChatClient onVictim = ChatClient.connect(victim.base(), null);
                    ChatClient alone = ChatClient.connect(victim.base(), null)) {
                watchedId = onVictim.nextJson().getString("id");
                unwatchedId = alone.nextJson().getString("id");
                onVictim.send(request(words(300)));
                alone.send(request("nobody else watches this one " + words(300)));
                onVictim.next();
                alone.next();
                try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + watchedId)) {
                    assertEquals("conversation", onB.nextJson().getString("object"));
                    for (int i = 0; i < 4; i++) {
                        seenOnB.add(onB.next());
                    }
                    victim.kill();
                    seenOnB.addAll(onB.turn());
                }
            }
            JsonObject terminal = ChatClient.json(ChatClient.last(seenOnB));
            assertEquals("chat.completion", terminal.getString("object"), ChatClient.last(seenOnB));
            assertEquals("cancelled", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            String shown = deltas(seenOnB);
            assertEquals(shown, terminal.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
            List<JsonObject> history = messages(c, watchedId);
            assertEquals(2, history.size(), "the user's message and what B's socket was shown, once: " + history);
            assertEquals(shown, history.get(1).getString("content"));
            assertTrue(Await.until(Duration.ofSeconds(20), () -> messages(c, unwatchedId).size() == 1),
                    "the turn nobody watched elsewhere keeps the user's message");
            try (ChatClient onC = ChatClient.connect(c.base(), "conversation=" + watchedId)) {
                onC.nextJson();
                onC.send(request("after the crash"));
                assertTrue(ChatClient.last(onC.turn()).contains("turn 2"), "the conversation goes on on another server");
            }
        }
    }

    @Test
    void aDatabaseRestartMidTurnEndsTheTurnCleanlyAndTheServersGoOn() throws Exception {
        String ctl = System.getenv("CHAT_TEST_DB_CTL");
        Assumptions.assumeTrue(ctl != null && !ctl.isBlank(), "CHAT_TEST_DB_CTL names no command to restart PostgreSQL (.ci/run sets it)");
        try (ChatClient onA = ChatClient.connect(a.base(), null)) {
            String id = onA.nextJson().getString("id");
            onA.send(request(words(100)));
            onA.next();
            try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
                onB.nextJson();
                onB.next();
                StoreRestartIT.run(ctl, "restart");
                List<String> turnOnA = onA.turn();
                List<String> turnOnB = onB.turn();
                assertEquals(ChatClient.last(turnOnA), ChatClient.last(turnOnB), "one terminal frame, the same on both servers");
                assertTrue(onA.quietFor(500) && onB.quietFor(10), "and nothing after it");
            }
            try (ChatClient onB = ChatClient.connect(b.base(), "conversation=" + id)) {
                int before = onB.nextJson().getJsonArray("messages").size();
                onB.send(request("after the restart"));
                assertEquals("chat.completion", ChatClient.json(ChatClient.last(onB.turn())).getString("object"), "B's next turn works");
                // A's socket is still attached, so A takes B's turn as its change feed hears of it (it reconnects after the restart).
                assertTrue(Await.until(Duration.ofSeconds(20), () -> messages(a, id).size() == before + 2), "and A has it");
            }
        }
    }

    @Test
    void twoServersStartingAtOnceOnAnEmptyDatabaseMakeItsTablesOneAtATimeAndCountTurnsPerMinuteTogether() throws Exception {
        Map<String, String> limited = env("PT10S");
        // A schema of their own: empty, and the other servers of this build count this test's address too (it is every test's).
        String url = System.getenv("CHAT_TEST_DB_URL");
        limited.put("CHAT_DB_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=limits_it");
        limited.put("CHAT_LIMITS_TURNS_PER_MINUTE", "2");
        limited.put("CHAT_SIMULATOR_TOKENS_PER_SECOND", "5");
        // The servers are declared first, so closed last: a failure before the unlock below ends the lock's connection
        // (and with it the lock) before the servers are stopped, instead of leaving them waiting for it.
        try (LibertyNode one = LibertyNode.create("chatws-limits-1", limited);
                LibertyNode two = LibertyNode.create("chatws-limits-2", limited);
                Connection db = DriverManager.getConnection(url, System.getenv("CHAT_TEST_DB_USER"), System.getenv("CHAT_TEST_DB_PASSWORD"));
                Statement sql = db.createStatement()) {
            sql.execute("drop schema if exists limits_it cascade");
            sql.execute("create schema limits_it");
            // This test holds the lock the servers make a schema's tables under, so that both come to it at once.
            String lock = SCHEMA_LOCK + ", hashtext('limits_it')";
            sql.execute("select pg_advisory_lock(" + lock + ")");
            LibertyNode.startAll(one, two);
            assertTrue(Await.until(Duration.ofSeconds(60), () -> count(sql, "select count(*) from pg_locks where locktype = 'advisory'"
                    + " and classid = " + SCHEMA_LOCK + " and objid = hashtext('limits_it')::oid and not granted") == 2),
                    "both servers wait for the lock before they make a table");
            assertEquals(0, count(sql, "select count(*) from information_schema.tables where table_schema = 'limits_it'"), "none made yet");
            sql.execute("select pg_advisory_unlock(" + lock + ")");

            try (ChatClient onOne = ChatClient.connect(one.base(), null)) {
                onOne.nextJson();
                for (int i = 0; i < 2; i++) {
                    onOne.send(request("turn " + i));
                    assertEquals("chat.completion", ChatClient.json(ChatClient.last(onOne.turn())).getString("object"));
                }
            }
            // The same client (this test's address) on the other server: alone, that server would allow it two turns more.
            List<String> answers = new ArrayList<>();
            try (ChatClient onTwo = ChatClient.connect(two.base(), null)) {
                onTwo.nextJson();
                assertTrue(Await.until(Duration.ofSeconds(30), () -> {
                    onTwo.send(request("on two"));
                    answers.add(ChatClient.last(onTwo.turn()));
                    return ChatClient.last(answers).contains("rate_limited");
                }), "refused at last: " + answers);
            }
            assertTrue(answers.size() <= 2, "at most one turn more (started before the servers had told each other): " + answers);
            assertTrue(ChatClient.json(ChatClient.last(answers)).getJsonObject("error").getInt("retry_after") <= 60);

            assertTrue(count(sql, "select count(*) from information_schema.tables where table_schema = 'limits_it'") >= 6,
                    "the histories', the ledger's and the limits' tables");
            for (LibertyNode node : new LibertyNode[] {one, two}) {
                List<String> warnings = node.log().lines().filter(line -> line.matches("\\[[^]]+] \\S+ \\S+ +[WE] .*")).toList();
                assertEquals(List.of(), warnings, "neither server logged a warning or an error");
            }
        }
    }

    @Test
    void throughTheReadmesRoundRobinLoadBalancerAReconnectMidTurnGetsTheWholeTurn() throws Exception {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        Assumptions.assumeTrue(Files.isExecutable(haproxy), "HAProxy is not installed (.ci/run installs Debian's)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // The README's example as shipped, pointed at this test's three servers.
        String config = Files.readString(Path.of("docs/haproxy.cfg"))
                .replace("bind :8080", "bind 127.0.0.1:" + port)
                .replace("server a 10.0.0.11:9080", "server a 127.0.0.1:" + a.base().getPort())
                .replace("server b 10.0.0.12:9080", "server b 127.0.0.1:" + b.base().getPort())
                .replace("server c 10.0.0.13:9080", "server c 127.0.0.1:" + c.base().getPort());
        Path file = Files.createTempFile("chatws-haproxy", ".cfg");
        Files.writeString(file, config);
        Process balancer = new ProcessBuilder(haproxy.toString(), "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            URI front = URI.create("http://127.0.0.1:" + port + "/");
            assertTrue(Await.until(Duration.ofSeconds(30), () -> {
                try {
                    return ChatClient.http("GET", front.resolve("health/ready"), null, null).statusCode() == 200;
                } catch (java.io.UncheckedIOException notListeningYet) {
                    return false;
                }
            }), "HAProxy answers with a ready server behind it");
            for (int attempt = 0; attempt < 3; attempt++) {
                String id;
                List<String> before = new ArrayList<>();
                try (ChatClient first = ChatClient.connect(front, null)) {
                    id = first.nextJson().getString("id");
                    first.send(request(words(60)));
                    for (int i = 0; i < 3; i++) {
                        before.add(first.next());
                    }
                }
                // The next connection goes to the next server in turn: the reconnect lands elsewhere.
                try (ChatClient again = ChatClient.connect(front, "conversation=" + id)) {
                    assertEquals("conversation", again.nextJson().getString("object"));
                    List<String> turn = again.turn();
                    assertEquals(before, turn.subList(0, before.size()), "the reconnect starts with what was relayed before it");
                    assertEquals(turn.size(), turn.stream().distinct().count(), "no frame twice");
                    assertEquals("chat.completion", ChatClient.json(ChatClient.last(turn)).getString("object"));
                }
            }
        } finally {
            balancer.destroy();
            balancer.waitFor();
            Files.deleteIfExists(file);
        }
    }

    /** The first frame on {@code client} that answers {@code request}, the frames of the running turn before it kept in {@code turn}. */
    private static String firstAnswer(ChatClient client, String request, List<String> turn) {
        client.send(request);
        for (;;) {
            String frame = client.next();
            if (frame.startsWith("{\"error\"")) {
                return frame;
            }
            turn.add(frame);
        }
    }

    private static String error(String frame) {
        return ChatClient.json(frame).getJsonObject("error").getString("code");
    }

    private static String request(String text) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static String words(int count) {
        return IntStream.range(0, count).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
    }

    /** The text the content deltas of {@code frames} add up to. */
    private static String deltas(List<String> frames) {
        StringBuilder text = new StringBuilder();
        for (String frame : frames) {
            JsonObject json = ChatClient.json(frame);
            if ("chat.completion.chunk".equals(json.getString("object", null)) && !json.getJsonArray("choices").isEmpty()) {
                JsonObject delta = json.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
                if (delta.containsKey("content") && !delta.isNull("content")) {
                    text.append(delta.getString("content"));
                }
            }
        }
        return text.toString();
    }

    /** The committed messages of conversation {@code id} as a new socket on {@code node} gets them. */
    private static List<JsonObject> messages(LibertyNode node, String id) {
        try (ChatClient client = ChatClient.connect(node.base(), "conversation=" + id)) {
            return client.nextJson().getJsonArray("messages").stream().map(message -> message.asJsonObject()).toList();
        }
    }

    /** The first key of the advisory lock a server makes a schema's tables under (the second: the schema's hashtext). */
    private static final int SCHEMA_LOCK = 0x6377;

    private static long count(Statement sql, String query) throws java.sql.SQLException {
        try (var rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Map<String, String> env(String lease) {
        Map<String, String> env = new HashMap<>(NodesIT.postgresql());
        env.put("CHAT_TURNS_LEASE", lease);
        env.put("CHAT_SIMULATOR_TOKENS_PER_SECOND", "20");
        // Every test of the build connects from one address; servers on one database would count all their turns together.
        env.put("CHAT_LIMITS_TURNS_PER_MINUTE", "0");
        return env;
    }
}
