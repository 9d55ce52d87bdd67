package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Authentication and ownership with {@code chat.auth.required=true}: a MicroProfile JWT in the
 * {@code Authorization} header or the {@code access_token} parameter, verified against
 * {@code mp.jwt.verify.publickey} and {@code mp.jwt.verify.issuer}. Each token this test makes is
 * written to {@code target/test-tokens.txt}; {@code .ci/run} checks that none is in a server log.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthIT {

    private static final String ISSUER = "https://issuer.chat-ws.test";
    private static final KeyPair KEYS = rsa();
    private static final KeyPair OTHER_KEYS = rsa();

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.simulated("chat-auth",
                "chat.auth.required=true",
                "mp.jwt.verify.publickey=" + Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                "mp.jwt.verify.issuer=" + ISSUER,
                "chat.limits.connections-per-client=2",
                "chat.limits.turns-per-minute=2",
                "chat.simulator.first-token-delay=0",
                "chat.simulator.tokens-per-second=2000");
    }

    @Test
    void noTokenOrABadOneIsClosedWith4401() throws Exception {
        URI uri = base.toURI();
        assertEquals(4401, ChatClient.closeCodeOrZero(uri, null), "no token");
        assertEquals(4401, ChatClient.closeCodeOrZero(uri, "access_token=not-a-jwt"), "not a JWT");
        assertEquals(4401, ChatClient.closeCodeOrZero(uri, "access_token=" + token("alice", ISSUER, KEYS.getPrivate(), -600)), "expired (beyond the 60 s clock skew)");
        assertEquals(4401, ChatClient.closeCodeOrZero(uri, "access_token=" + token("alice", ISSUER, OTHER_KEYS.getPrivate(), 300)), "signed by another key");
        assertEquals(4401, ChatClient.closeCodeOrZero(uri, "access_token=" + token("alice", "https://evil.test", KEYS.getPrivate(), 300)), "another issuer");
        assertEquals(0, ChatClient.closeCodeOrZero(uri, "access_token=" + token("alice", ISSUER, KEYS.getPrivate(), 300)), "a good token");
    }

    @Test
    void aTokenOfferedAsASubprotocolIsAcceptedAndTheServerSelectsChatWs() throws Exception {
        try (ChatClient client = ChatClient.connectOffering(base.toURI(), null, "chat-ws", "bearer." + token("dave", ISSUER, KEYS.getPrivate(), 300))) {
            assertEquals("conversation", client.nextJson().getString("object"));
            assertEquals("chat-ws", client.subprotocol());
            assertTrue(ConversationStoreIT.turn(client, "hi").contains("turn 1"));
        }
        try (ChatClient client = ChatClient.connectOffering(base.toURI(), null, "chat-ws", "bearer.not-a-jwt")) {
            assertEquals(4401, client.awaitClose(), "a bad token offered as a subprotocol");
        }
        try (ChatClient client = ChatClient.connectOffering(base.toURI(), null, "chat-ws")) {
            assertEquals(4401, client.awaitClose(), "chat-ws alone carries no token");
        }
    }

    @Test
    void aTokenInTheAuthorizationHeaderIsAccepted() throws Exception {
        try (ChatClient client = ChatClient.connect(base.toURI(), null, Map.of("Authorization", "Bearer " + token("carol", ISSUER, KEYS.getPrivate(), 300)))) {
            assertEquals("conversation", client.nextJson().getString("object"));
            assertTrue(ConversationStoreIT.turn(client, "hi").contains("turn 1"));
        }
    }

    @Test
    void anotherUserCannotReattachOrEraseAConversation() throws Exception {
        URI uri = base.toURI();
        String alice = "access_token=" + token("alice", ISSUER, KEYS.getPrivate(), 300);
        String bob = "access_token=" + token("bob", ISSUER, KEYS.getPrivate(), 300);
        String id;
        try (ChatClient client = ChatClient.connect(uri, alice)) {
            id = client.nextJson().getString("id");
            ConversationStoreIT.turn(client, "alice's secret");
        }
        assertEquals(4404, ChatClient.closeCodeOrZero(uri, bob + "&conversation=" + id), "bob gets 4404, as for an unknown id");
        assertEquals(0, ChatClient.closeCodeOrZero(uri, alice + "&conversation=" + id), "alice gets her conversation back");
        assertEquals(404, delete(id, token("bob", ISSUER, KEYS.getPrivate(), 300)), "bob cannot erase it");
        assertEquals(401, delete(id, null), "nor can anyone without a token");
        assertEquals(204, delete(id, token("alice", ISSUER, KEYS.getPrivate(), 300)));
    }

    @Test
    void connectionsAreCountedPerUser() throws Exception {
        URI uri = base.toURI();
        String dave = "access_token=" + token("dave", ISSUER, KEYS.getPrivate(), 300);
        try (ChatClient first = ChatClient.connect(uri, dave); ChatClient second = ChatClient.connect(uri, dave)) {
            first.nextJson();
            second.nextJson();
            assertEquals(4429, ChatClient.closeCodeOrZero(uri, dave), "a third socket of dave");
            assertEquals(0, ChatClient.closeCodeOrZero(uri, "access_token=" + token("erin", ISSUER, KEYS.getPrivate(), 300)),
                    "erin, from the same address, has her own count");
        }
    }

    @Test
    void aUserOverTheTurnRateIsRateLimitedWhileOthersAreServed() throws Exception {
        URI uri = base.toURI();
        try (ChatClient frank = ChatClient.connect(uri, "access_token=" + token("frank", ISSUER, KEYS.getPrivate(), 300));
                ChatClient grace = ChatClient.connect(uri, "access_token=" + token("grace", ISSUER, KEYS.getPrivate(), 300))) {
            frank.nextJson();
            grace.nextJson();
            ConversationStoreIT.turn(frank, "one");
            ConversationStoreIT.turn(frank, "two");
            frank.send("{\"messages\":[{\"role\":\"user\",\"content\":\"three\"}]}");
            assertEquals("rate_limited", frank.nextJson().getJsonObject("error").getString("code"));
            assertTrue(ConversationStoreIT.turn(grace, "meanwhile").contains("turn 1"), "grace is served");
        }
    }

    private int delete(String id, String token) throws Exception {
        return ChatClient.http("DELETE", base.toURI().resolve("api/conversations/" + id), token, null).statusCode();
    }

    /** A signed JWT for {@code user} ({@code upn}), expiring {@code seconds} from now (negative: expired). */
    /** A JWT for {@code user} from {@code issuer}, signed with {@code key}, valid for {@code seconds} (noted in target/test-tokens.txt). */
    static String token(String user, String issuer, PrivateKey key, long seconds) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(user + "-subject");
        claims.setClaim("upn", user);
        claims.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(Instant.now().getEpochSecond() - Math.max(0, -seconds) - 60));
        claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(Instant.now().getEpochSecond() + seconds));
        claims.setGeneratedJwtId();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        String token = jws.getCompactSerialization();
        Files.writeString(Path.of("target/test-tokens.txt"), token + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return token;
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
