package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import dev.chatws.testing.Await;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * Stopping the application (as a server stop does) cancels the turn in flight, closes its sockets
 * with 1001 and leaves none of its threads behind. The upstream is a paced one in the test JVM, so it outlives the application.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ShutdownIT {

    private static final String NAME = "chat-shutdown";
    private static FakeUpstream upstream;

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        upstream = FakeUpstream.start(0);
        return Deployments.withUpstream(NAME, upstream.baseUrl());
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    private static List<String> names(long pid) throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    names.add(Files.readString(task.resolve("comm")).strip());
                } catch (java.nio.file.NoSuchFileException ended) {
                    // the thread ended while being listed
                }
            }
        }
        return names;
    }

    @Test
    void stoppingTheApplicationCancelsTheTurnAndClosesWith1001() throws Exception {
        long server = CancelSoakIT.serverPid();
        List<String> before = names(server);
        deployer.deploy(NAME);
        URI base = URI.create("http://localhost:" + Deployments.HTTP_PORT + "/" + NAME + "/");
        try (ChatClient client = ChatClient.open(base)) {
            client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"long\"}],\"x_script\":\"paced\",\"x_chunks\":400,\"x_gap_ms\":50}");
            assertEquals("chat.completion.chunk", client.nextJson().getString("object"));
            assertTrue(ours(server, before).size() >= 2, "the application's reader and watchdog threads run: " + ours(server, before));
            deployer.undeploy(NAME);
            JsonObject terminal;
            do {
                terminal = client.nextJson();
            } while ("chat.completion.chunk".equals(terminal.getString("object", null)));
            assertEquals("chat.completion", terminal.getString("object", null), terminal.toString());
            assertEquals("cancelled", terminal.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
            assertEquals(1001, client.awaitClose());
        }
        assertEquals(List.of(), Await.value(Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> ours(server, before), List::isEmpty), "no thread of the stopped application is left");
    }

    /**
     * The server's threads that the application started since {@code before}: its managed threads
     * (upstream readers, the timeout watchdog) and the HTTP client's connection evictor. Linux
     * shows the first 15 characters of a thread's name.
     */
    private static List<String> ours(long pid, List<String> before) throws Exception {
        List<String> now = new ArrayList<>(names(pid));
        before.forEach(now::remove);
        return now.stream().filter(name -> name.startsWith("managedThreadFa") || name.startsWith("Connection evic")).toList();
    }
}
