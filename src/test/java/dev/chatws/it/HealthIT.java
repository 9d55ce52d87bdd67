package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MicroProfile Health: started once the store has connected, live regardless, ready only when
 * the store answers and the upstream answers HTTP (a dead upstream or database: 503, saying which).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthIT {

    private static final URI HEALTH = URI.create("http://localhost:" + Deployments.HTTP_PORT + "/health/");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = "chat-healthy", managed = false, testable = false)
    static WebArchive healthy() {
        return Deployments.simulated("chat-healthy");
    }

    @Deployment(name = "chat-unhealthy", managed = false, testable = false)
    static WebArchive unhealthy() {
        return Deployments.simulated("chat-unhealthy",
                "chat.upstream.url=http://127.0.0.1:1/v1",
                "chat.db.url=jdbc:postgresql://127.0.0.1:1/nowhere");
    }

    @Test
    void withTheStoreAndTheUpstreamAnsweringTheServerIsStartedLiveAndReady() throws Exception {
        deployer.deploy("chat-healthy");
        try {
            assertEquals(200, awaitStatus("started", 200), "started once the store connected");
            assertEquals(200, get("live").statusCode());
            HttpResponse<String> ready = get("ready");
            assertEquals(200, ready.statusCode(), ready.body());
            JsonObject check = ChatClient.json(ready.body()).getJsonArray("checks").getJsonObject(0);
            assertEquals("UP", check.getString("status"));
            assertEquals("answers", check.getJsonObject("data").getString("store"));
            assertEquals("built-in simulated model", check.getJsonObject("data").getString("upstream"));
        } finally {
            deployer.undeploy("chat-healthy");
        }
    }

    @Test
    void aDeadUpstreamOrDatabaseMakesItNotReadyButStillLive() throws Exception {
        deployer.deploy("chat-unhealthy");
        try {
            assertEquals(200, get("live").statusCode(), "liveness depends on nothing outside");
            HttpResponse<String> ready = get("ready");
            assertEquals(503, ready.statusCode(), ready.body());
            JsonObject data = ChatClient.json(ready.body()).getJsonArray("checks").getJsonObject(0).getJsonObject("data");
            assertEquals("does not answer", data.getString("store"));
            assertTrue(data.getString("upstream").startsWith("no answer"), data.toString());
            assertEquals(503, get("started").statusCode(), "never connected to its store");
        } finally {
            deployer.undeploy("chat-unhealthy");
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(HEALTH.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int awaitStatus(String path, int wanted) throws Exception {
        return Await.value(Duration.ofSeconds(20), Duration.ofMillis(100), () -> get(path).statusCode(), status -> status == wanted);
    }
}
