package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import dev.chatws.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 10,000 turns cancelled after their first chunk leak nothing: every upstream stream is hung up
 * on, the server's threads return to their baseline, and its heap after GC grows only by what the
 * conversations keep (until retention arrives, every conversation stays in memory).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CancelSoakIT {

    private static final int CYCLES = 10_000;
    private static final int CLIENTS = 4;
    private static FakeUpstream upstream;

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        upstream = FakeUpstream.start(0);
        return Deployments.withUpstream("chat-soak", upstream.baseUrl());
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void tenThousandCancelCyclesLeaveNoUpstreamStreamAndNoThreadBehind() throws Exception {
        long server = serverPid();
        cycles(200);
        assertTrue(awaitNoUpstreamStreams(), "warm-up streams hung up on");
        int threadsBefore = threads(server);
        double heapBefore = heapAfterGcKilobytes(server);

        cycles(CYCLES);

        assertTrue(awaitNoUpstreamStreams(), "every cancelled stream was hung up on; still open: " + upstream.active());
        int threadsAfter = awaitThreads(server, threadsBefore + 8);
        assertTrue(threadsAfter <= threadsBefore + 8, "server threads " + threadsBefore + " → " + threadsAfter);
        double perCycle = (heapAfterGcKilobytes(server) - heapBefore) / CYCLES;
        System.out.printf("CancelSoakIT: heap after GC grew %.2f KB per cancelled turn%n", perCycle);
        assertTrue(perCycle < 8, "the heap keeps only each conversation and its two messages: " + perCycle + " KB per turn");
    }

    private static double heapAfterGcKilobytes(long pid) throws Exception {
        jcmd(pid, "GC.run");
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        assertTrue(used.find(), "jcmd reports the heap");
        return Long.parseLong(used.group(1));
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    private void cycles(int count) throws Exception {
        URI uri = base.toURI();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Integer>> done = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            done.add(clients.submit(() -> {
                int cancelled = 0;
                for (int i = 0; i < count / CLIENTS; i++) {
                    try (ChatClient client = ChatClient.open(uri)) {
                        client.send("{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"x_script\":\"paced\",\"x_chunks\":2000,\"x_gap_ms\":5}");
                        assertEquals("chat.completion.chunk", client.nextJson().getString("object"));
                        client.send("{\"type\":\"response.cancel\"}");
                        String finish;
                        do {
                            var frame = client.nextJson();
                            finish = frame.containsKey("choices") && "chat.completion".equals(frame.getString("object"))
                                    ? frame.getJsonArray("choices").getJsonObject(0).getString("finish_reason") : null;
                        } while (finish == null);
                        cancelled += "cancelled".equals(finish) ? 1 : 0;
                    }
                }
                return cancelled;
            }));
        }
        int cancelled = 0;
        for (Future<Integer> future : done) {
            cancelled += future.get(10, TimeUnit.MINUTES);
        }
        clients.shutdown();
        assertEquals(count / CLIENTS * CLIENTS, cancelled, "every turn ended cancelled");
    }

    private static boolean awaitNoUpstreamStreams() throws Exception {
        return Await.until(Duration.ofSeconds(10), () -> upstream.active() == 0);
    }

    private static int awaitThreads(long pid, int atMost) throws Exception {
        return Await.value(Duration.ofSeconds(90), Duration.ofMillis(500), () -> threads(pid), threads -> threads <= atMost);
    }

    private static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no thread count");
    }

    static long serverPid() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains("ws-server.jar") && line.contains("arquillian")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no Liberty server named arquillian")).pid();
    }
}
