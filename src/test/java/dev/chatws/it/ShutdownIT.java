package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chatws.bench.PacedUpstream;
import jakarta.json.JsonObject;
import java.net.URI;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stopping the application (as a server stop does) cancels the turn in flight and closes its
 * sockets with 1001. The upstream is a paced one in the test JVM, so it outlives the application.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ShutdownIT {

    private static final String NAME = "chat-shutdown";
    private static PacedUpstream upstream;

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        upstream = Deployments.startPacedUpstream();
        return Deployments.withUpstream(NAME, upstream.url());
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void stoppingTheApplicationCancelsTheTurnAndClosesWith1001() throws Exception {
        deployer.deploy(NAME);
        URI base = URI.create("http://localhost:" + Deployments.HTTP_PORT + "/" + NAME + "/");
        try (ChatClient client = ChatClient.open(base)) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_chunks\":400,\"x_gap_ms\":50}");
            assertEquals("chat.completion.chunk", client.nextJson().getString("object"));
            deployer.undeploy(NAME);
            JsonObject terminal;
            do {
                terminal = client.nextJson();
            } while ("chat.completion.chunk".equals(terminal.getString("object", null)));
            assertEquals("chat.completion", terminal.getString("object", null), terminal.toString());
            assertEquals("cancelled", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            assertEquals(1001, client.awaitClose());
        }
    }
}
