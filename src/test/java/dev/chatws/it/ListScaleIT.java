package dev.chatws.it;

import static dev.chatws.it.ChatClient.http;
import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.control.ConversationCatalog;
import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A user with 10,000 conversations on PostgreSQL (PROTOCOL §12): paging through all of them with
 * the list API gives each exactly once, most recently updated first, and PostgreSQL answers a page
 * from the (owner, updated, id) index, read backwards from the cursor, with no sort and no scan of
 * the user's other rows. The plan is printed (the README quotes it).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ListScaleIT {

    private static final String ISSUER = "https://issuer.chat-ws.test";
    private static final KeyPair KEYS = AuthIT.rsa();
    private static final String SCHEMA = "chatws_list";
    private static final String USER = "many@example.com";
    private static final int COUNT = 10_000;

    @ArquillianResource
    URL base;

    private static String url() {
        String url = System.getenv("CHAT_TEST_DB_URL");
        assertNotNull(url, "CHAT_TEST_DB_URL names no PostgreSQL database (.ci/run starts one and sets it)");
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(url(), System.getenv("CHAT_TEST_DB_USER"), System.getenv("CHAT_TEST_DB_PASSWORD"));
    }

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        String plain = System.getenv("CHAT_TEST_DB_URL");
        assertNotNull(plain, "CHAT_TEST_DB_URL names no PostgreSQL database (.ci/run starts one and sets it)");
        try (Connection db = DriverManager.getConnection(plain, System.getenv("CHAT_TEST_DB_USER"), System.getenv("CHAT_TEST_DB_PASSWORD"));
                Statement sql = db.createStatement()) {
            sql.execute("drop schema if exists " + SCHEMA + " cascade");
            sql.execute("create schema " + SCHEMA);
        }
        return Deployments.withFakeUpstream("chat-list", "sk-test-list", "chat.db.url=" + url(),
                "chat.db.user=" + System.getenv("CHAT_TEST_DB_USER"), "chat.db.password=" + System.getenv("CHAT_TEST_DB_PASSWORD"),
                "mp.jwt.verify.publickey=" + Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                "mp.jwt.verify.issuer=" + ISSUER);
    }

    @Test
    void tenThousandConversationsOfOneUserPageFromTheIndex() throws Exception {
        String token = AuthIT.token(USER, ISSUER, KEYS.getPrivate(), 600);
        URI api = ChatClient.uri(base).resolve("api/");
        assertTrue(Await.until(Duration.ofSeconds(30), () -> http("GET", api.resolve("conversations"), token, null).statusCode() == 200),
                "the store's tables exist");
        long now = System.currentTimeMillis();
        try (Connection db = connect()) {
            db.setAutoCommit(false);
            try (PreparedStatement insert = db.prepareStatement("insert into chat_conversation (id, created, last_active, updated_ms, owner_name,"
                    + " active_seq, path_length, model, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens)"
                    + " values (?, ?, ?, ?, ?, 1, 2, 'm', 1, 1, 0, 0)")) {
                for (int i = 0; i < COUNT; i++) {
                    // Every tenth pair shares its millisecond: the id breaks the tie.
                    long updated = now - (i / 2) * 1000L;
                    insert.setString(1, String.format("conv_%022d", i));
                    insert.setLong(2, updated / 1000);
                    insert.setLong(3, updated / 1000);
                    insert.setLong(4, updated);
                    insert.setString(5, i % 10 == 9 ? "someone-else@example.com" : USER);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            db.commit();
            db.setAutoCommit(true);
            try (Statement sql = db.createStatement()) {
                // As autovacuum leaves a table in use; the plan is PostgreSQL's for a table in its steady state.
                sql.execute("vacuum analyze chat_conversation");
            }
        }

        List<String> seen = new ArrayList<>();
        String after = null;
        long previous = Long.MAX_VALUE;
        List<Long> micros = new ArrayList<>();
        for (int page = 0; page < COUNT; page++) {
            long started = System.nanoTime();
            JsonObject list = json(http("GET", api.resolve("conversations?limit=100" + (after == null ? "" : "&after=" + after)), token, null).body());
            micros.add((System.nanoTime() - started) / 1000);
            for (var item : list.getJsonArray("data")) {
                long updated = item.asJsonObject().getJsonNumber("updated").longValue();
                assertTrue(updated <= previous, "most recently updated first");
                previous = updated;
                seen.add(item.asJsonObject().getString("id"));
            }
            if (!list.getBoolean("has_more")) {
                break;
            }
            after = list.getString("last_id");
        }
        assertEquals(COUNT - COUNT / 10, seen.size(), "every conversation of the user");
        System.out.println("Pages of 100 over HTTP, median µs: first 10 " + median(micros.subList(0, 10)) + ", last 10 "
                + median(micros.subList(micros.size() - 10, micros.size())) + " (not a test: a figure for the notes)");
        Set<String> unique = new HashSet<>(seen);
        assertEquals(seen.size(), unique.size(), "none twice");
        assertFalse(unique.contains(String.format("conv_%022d", 9)), "none of another user's");

        String cursor = String.format("conv_%022d", 5000);
        try (Connection db = connect(); PreparedStatement explain = db.prepareStatement("explain (analyze, costs off, timing off, summary off) "
                + ConversationCatalog.listQuery(true, 101))) {
            explain.setString(1, USER);
            explain.setLong(2, now - 2_500_000);
            explain.setString(3, cursor);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            System.out.println("The list's query plan on PostgreSQL, a page from the middle of " + COUNT + " conversations:\n" + plan);
            assertTrue(plan.toString().contains("Index Scan Backward using chat_conversation_owner_updated"), plan.toString());
            assertFalse(plan.toString().contains("Sort"), "no sort: the index gives the order");
            assertFalse(plan.toString().contains("Seq Scan"), plan.toString());
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
