package dev.chatws.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Liberty server under test, driven through its own {@code bin/server} script: start and stop
 * it, and read its memory (resident set from {@code /proc}, heap after a full GC through
 * {@code jcmd}).
 */
final class Server {

    private static final Pattern PID = Pattern.compile("process ID (\\d+)");
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final Path wlp;
    private final String name;
    private final Map<String, String> environment;
    private long pid = -1;

    Server(Path wlp, String name, Map<String, String> environment) {
        this.wlp = wlp;
        this.name = name;
        this.environment = environment;
    }

    /** Starts the server and returns the milliseconds until {@code chat} accepted a WebSocket. */
    long start(URI chat) throws Exception {
        long begin = System.nanoTime();
        run("start");
        LoadClient probe = new LoadClient(chat, chat, 1);
        while (true) {
            try {
                probe.open().get(5, TimeUnit.SECONDS).close();
                break;
            } catch (Exception e) {
                if (System.nanoTime() - begin > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("the server did not accept a WebSocket in 120 s", e);
                }
                Thread.sleep(10);
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        Matcher matcher = PID.matcher(run("status"));
        if (!matcher.find()) {
            throw new IllegalStateException("no process id from server status");
        }
        pid = Long.parseLong(matcher.group(1));
        return millis;
    }

    void stop() throws Exception {
        run("stop");
        pid = -1;
    }

    /** CPU time the server process has used so far, user and system, in microseconds. */
    long cpuMicros() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1_000_000L / 100;
    }

    /** Resident set size in MB. */
    double rssMegabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** Heap in use after a full GC, in MB. */
    double heapAfterGcMegabytes() throws Exception {
        jcmd("GC.run");
        Matcher matcher = USED.matcher(jcmd("GC.heap_info"));
        if (!matcher.find()) {
            throw new IllegalStateException("no heap figure from jcmd");
        }
        return Long.parseLong(matcher.group(1)) / 1024.0;
    }

    private String jcmd(String command) throws Exception {
        Process process = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private String run(String command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(wlp.resolve("bin/server").toString(), command, name).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server " + command + " did not finish");
        }
        return out;
    }
}
