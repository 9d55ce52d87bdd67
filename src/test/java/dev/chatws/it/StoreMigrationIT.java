package dev.chatws.it;

import static dev.chatws.it.ChatClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A store written by the release before branches (v1: no {@code parent_seq}, {@code request} or
 * {@code active_seq}), in an H2 file and in PostgreSQL, made here with the DDL that release
 * generated: on its first start the application adds the columns in place, every v1 conversation
 * reads as one branch with ids, nothing is lost, and it can branch from there; a second start
 * finds the branches.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StoreMigrationIT {

    private static final String H2 = "chat-migrate-h2";
    private static final String POSTGRES = "chat-migrate-pg";
    private static final String ID = "conv_v1v1v1v1v1v1v1v1v1v1v1";
    /** A v1 conversation of a signed-in user: after the upgrade it is in the user's list. */
    private static final String OWNED = "conv_v1ownedv1ownedv1owned";
    private static final String OWNER = "olivia-v1";
    private static final String ISSUER = "https://issuer.chat-ws.test";
    private static final java.security.KeyPair KEYS = AuthIT.rsa();
    private static final List<String> V1_MESSAGES = List.of(
            "{\"role\":\"user\",\"content\":\"remember 42\"}",
            "{\"role\":\"assistant\",\"content\":\"42 it is\"}",
            "{\"role\":\"user\",\"content\":\"and 43\",\"x_client\":{\"k\":1}}",
            "{\"role\":\"assistant\",\"content\":\"43 too\"}");

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = H2, managed = false, testable = false)
    static WebArchive h2() throws Exception {
        Path dir = Path.of("target", "migrate-h2").toAbsolutePath();
        Files.createDirectories(dir);
        String url = "jdbc:h2:" + dir.resolve("v1") + ";TRACE_LEVEL_FILE=0";
        try (Connection db = DriverManager.getConnection(url)) {
            writeV1(db, "CLOB");
        }
        return Deployments.withFakeUpstream(H2, "sk-test-migrate", "chat.db.url=" + url, jwtKey(), "mp.jwt.verify.issuer=" + ISSUER);
    }

    @Deployment(name = POSTGRES, managed = false, testable = false)
    static WebArchive postgres() throws Exception {
        String url = postgresUrl();
        try (Connection db = DriverManager.getConnection(url, System.getenv("CHAT_TEST_DB_USER"), System.getenv("CHAT_TEST_DB_PASSWORD"))) {
            try (Statement sql = db.createStatement()) {
                sql.execute("drop schema if exists chatws_v1 cascade");
                sql.execute("create schema chatws_v1");
            }
        }
        String inSchema = url + (url.contains("?") ? "&" : "?") + "currentSchema=chatws_v1";
        try (Connection db = DriverManager.getConnection(inSchema, System.getenv("CHAT_TEST_DB_USER"), System.getenv("CHAT_TEST_DB_PASSWORD"))) {
            writeV1(db, "TEXT");
        }
        return Deployments.withFakeUpstream(POSTGRES, "sk-test-migrate", "chat.db.url=" + inSchema,
                "chat.db.user=" + System.getenv("CHAT_TEST_DB_USER"), "chat.db.password=" + System.getenv("CHAT_TEST_DB_PASSWORD"),
                jwtKey(), "mp.jwt.verify.issuer=" + ISSUER);
    }

    private static String jwtKey() {
        return "mp.jwt.verify.publickey=" + java.util.Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
    }

    private static String postgresUrl() {
        String url = System.getenv("CHAT_TEST_DB_URL");
        assertNotNull(url, "CHAT_TEST_DB_URL names no PostgreSQL database (.ci/run starts one and sets it)");
        return url;
    }

    /** The tables and rows as the release before branches wrote them. */
    private static void writeV1(Connection db, String bodyType) throws SQLException {
        try (Statement sql = db.createStatement()) {
            sql.execute("drop table if exists chat_message");
            sql.execute("drop table if exists chat_conversation");
            sql.execute("create table chat_conversation (id varchar(64) not null, created bigint not null, last_active bigint not null,"
                    + " owner_name varchar(256), primary key (id))");
            sql.execute("create index chat_conversation_last_active on chat_conversation (last_active)");
            sql.execute("create table chat_message (conversation_id varchar(64) not null, seq integer not null, body " + bodyType
                    + " not null, primary key (conversation_id, seq))");
            sql.execute("insert into chat_conversation values ('" + ID + "', 1732550000, " + System.currentTimeMillis() / 1000 + ", null)");
            sql.execute("insert into chat_conversation values ('" + OWNED + "', 1732550000, 1732550100, '" + OWNER + "')");
        }
        try (var insert = db.prepareStatement("insert into chat_message values (?, ?, ?)")) {
            for (int i = 0; i < V1_MESSAGES.size(); i++) {
                insert.setString(1, ID);
                insert.setInt(2, i);
                insert.setString(3, V1_MESSAGES.get(i));
                insert.executeUpdate();
                if (i < 2) {
                    insert.setString(1, OWNED);
                    insert.executeUpdate();
                }
            }
        }
    }

    @Test
    void anH2StoreOfV1UpgradesInPlace() throws Exception {
        upgrades(H2);
    }

    @Test
    void aPostgresStoreOfV1UpgradesInPlace() throws Exception {
        upgrades(POSTGRES);
    }

    private void upgrades(String name) throws Exception {
        URI base = URI.create("http://localhost:" + Deployments.HTTP_PORT + "/" + name + "/");
        deployer.deploy(name);
        String token = AuthIT.token(OWNER, ISSUER, KEYS.getPrivate(), 600);
        URI list = base.resolve("api/conversations");
        assertTrue(dev.chatws.testing.Await.until(java.time.Duration.ofSeconds(20),
                () -> ChatClient.http("GET", list, token, null).body().contains(OWNED)), "the v1 conversation is in its owner's list once upgraded");
        JsonObject item = json(ChatClient.http("GET", list, token, null).body()).getJsonArray("data").getJsonObject(0);
        assertEquals(2, item.getInt("messages"), "its path, counted from its messages");
        assertEquals(1732550100, item.getJsonNumber("updated").longValue(), "its last activity");
        try (ChatClient client = ChatClient.connect(base, "conversation=" + ID)) {
            JsonObject conversation = client.nextJson();
            assertEquals(V1_MESSAGES.stream().map(ChatClient::json).toList(), conversation.getJsonArray("messages"), "nothing lost, exactly as stored");
            assertEquals(List.of("msg_0", "msg_1", "msg_2", "msg_3"), ids(conversation));
            client.send("{\"type\":\"response.regenerate\",\"x_key\":\"migrate-" + name + "\"}");
            List<String> turn = client.turn();
            assertEquals("chat.completion", json(turn.get(turn.size() - 1)).getString("object"));
            assertEquals("{\"msg_4\":[\"msg_3\",\"msg_4\"]}", client.nextJson().getJsonObject("forks").toString());
        } finally {
            deployer.undeploy(name);
        }
        deployer.deploy(name);
        try (ChatClient client = ChatClient.connect(base, "conversation=" + ID)) {
            JsonObject conversation = client.nextJson();
            assertEquals(List.of("msg_0", "msg_1", "msg_2", "msg_4"), ids(conversation), "the second start finds the branch, active");
            assertEquals("{\"msg_4\":[\"msg_3\",\"msg_4\"]}", conversation.getJsonObject("forks").toString());
        } finally {
            deployer.undeploy(name);
        }
    }

    private static List<String> ids(JsonObject conversation) {
        return conversation.getJsonArray("message_ids").getValuesAs(JsonString::getString);
    }
}
