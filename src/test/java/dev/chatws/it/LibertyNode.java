package dev.chatws.it;

import dev.chatws.testing.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Open Liberty server of its own, in the build's runtime ({@code wlp.home}), running the
 * built WAR with chat-ws's server configuration and JVM options on free ports: what an operator
 * runs, started and stopped with Liberty's own {@code server} command. Its environment
 * ({@code server.env}) is the configuration the test gives it.
 */
final class LibertyNode implements AutoCloseable {

    private static final Path WLP = Path.of(System.getProperty("wlp.home", "target/liberty/wlp")).toAbsolutePath();

    /**
     * Appended to the shipped {@code jvm.options}: a test server starts often and lives briefly, so
     * the JIT's optimising compiler (C2) and G1's threads cost more than they bring. Measured here
     * (2 cores, idle, a new server until its application has started): 28.7 s of CPU, 15.3 s wall
     * with the shipped options alone; 15.2 s of CPU, 11.1 s wall with these.
     */
    private static final String TEST_JVM_OPTIONS = """
            # chat-ws test node (LibertyNode): C1 only and the serial collector, for quick starts.
            -XX:TieredStopAtLevel=1
            -XX:+UseSerialGC
            """;

    private final String name;
    private final Path directory;
    private final int httpPort;
    private boolean running;

    private LibertyNode(String name, Path directory, int httpPort) {
        this.name = name;
        this.directory = directory;
        this.httpPort = httpPort;
    }

    /** Creates (or recreates) server {@code name} with {@code env} as its environment; not started. */
    static LibertyNode create(String name, Map<String, String> env) throws IOException {
        Path directory = WLP.resolve("usr/servers/" + name);
        Files.createDirectories(directory);
        Path mainConfig = Path.of("liberty/config/chat-ws.xml").toAbsolutePath();
        Path war = Path.of("target/chat-ws.war").toAbsolutePath();
        Files.writeString(directory.resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <server description="chat-ws test node">
                    <include location="%s"/>
                    <webApplication location="%s" contextRoot="/"/>
                </server>
                """.formatted(mainConfig, war));
        int httpPort = freePort();
        Files.writeString(directory.resolve("bootstrap.properties"),
                "http.port=" + httpPort + "\nhttps.port=" + freePort() + "\n");
        Files.writeString(directory.resolve("jvm.options"), Files.readString(Path.of("liberty/config/jvm.options")) + TEST_JVM_OPTIONS);
        Files.writeString(directory.resolve("server.env"), env.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        return new LibertyNode(name, directory, httpPort);
    }

    /** Starts the server and waits until the application has started. */
    void start() throws Exception {
        Path log = directory.resolve("logs/messages.log");
        Files.deleteIfExists(log);
        run("start");
        running = true;
        if (!Await.until(Duration.ofSeconds(180), () -> Files.exists(log) && Files.readString(log).contains("CWWKZ0001I"))) {
            throw new AssertionError(name + ": the application did not start within 180 s");
        }
    }

    /**
     * Starts {@code nodes} at the same time, as a cluster's servers may start, and waits until each
     * one's application has started; the first failure is thrown once all have ended.
     */
    static void startAll(LibertyNode... nodes) throws Exception {
        atOnce(nodes, LibertyNode::start);
    }

    /** Stops {@code nodes} (those not null) at the same time; the first failure is thrown once all have stopped. */
    static void closeAll(LibertyNode... nodes) throws Exception {
        atOnce(nodes, LibertyNode::close);
    }

    private interface Action {
        void on(LibertyNode node) throws Exception;
    }

    private static void atOnce(LibertyNode[] nodes, Action action) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (LibertyNode node : nodes) {
            if (node != null) {
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        action.on(node);
                    } catch (Throwable e) {
                        throw new CompletionException(e);
                    }
                }, runnable -> new Thread(runnable, "start-stop " + node.name).start()));
            }
        }
        Throwable first = null;
        for (CompletableFuture<Void> one : all) {
            try {
                one.join();
            } catch (CompletionException e) {
                first = first == null ? e.getCause() : first;
            }
        }
        if (first instanceof Error error) {
            throw error;
        }
        if (first != null) {
            throw (Exception) first;
        }
    }

    /** Stops the server (as an operator does: the application stops, then the JVM exits). */
    void stop() throws Exception {
        if (running) {
            running = false;
            run("stop");
        }
    }

    /** Kills the server's JVM at once (SIGKILL, as a crash or the OOM killer does): nothing of it runs any more. */
    void kill() throws Exception {
        Path pidFile = WLP.resolve("usr/servers/.pid/" + name + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(name + ": no process " + pid));
        process.destroyForcibly();
        if (!process.onExit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).handle((done, failed) -> failed == null).join()) {
            throw new AssertionError(name + ": still running 30 s after SIGKILL");
        }
        running = false;
        Files.deleteIfExists(pidFile);
    }

    /** What the server logged since it was last started ({@code messages.log}). */
    String log() throws IOException {
        return Files.readString(directory.resolve("logs/messages.log"));
    }

    /** The node's HTTP base URL; the chat is {@code ws…/chat} under it. */
    URI base() {
        return URI.create("http://localhost:" + httpPort + "/");
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private void run(String action) throws Exception {
        Process process = new ProcessBuilder(List.of(WLP.resolve("bin/server").toString(), action, name))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + ": server " + action + " took longer than 120 s");
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(name + ": server " + action + " exited with " + process.exitValue());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
