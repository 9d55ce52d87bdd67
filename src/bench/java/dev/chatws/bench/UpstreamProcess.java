package dev.chatws.bench;

import dev.chatws.fake.FakeUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The paced upstream in a process of its own, so that its threads and garbage collections do not
 * share a JVM with the load client. It runs on the same Java and class path as the benchmark.
 */
final class UpstreamProcess implements AutoCloseable {

    private final Process process;
    private final String url;

    private UpstreamProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    static UpstreamProcess start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                FakeUpstream.class.getName(), "0").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String url = out.readLine();
        if (url == null || !url.startsWith("http")) {
            process.destroyForcibly();
            throw new IOException("the paced upstream did not start");
        }
        return new UpstreamProcess(process, url);
    }

    String url() {
        return url;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
