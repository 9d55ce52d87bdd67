package dev.chatws.upstream.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.fake.FakeUpstream;
import dev.chatws.testing.Await;
import dev.chatws.upstream.boundary.ChatCompletionsApi;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One upstream call without a container: the real JDK client against the scripted fake upstream in
 * this JVM. What the listener hears, in order, for a stream, a refusal, a retry, a cut stream and
 * an abort; and that the call gives its permit back exactly once.
 */
class UpstreamCallTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final LongAdder retried = new LongAdder();
    private final AtomicInteger released = new AtomicInteger();
    private final CallContext context;

    UpstreamCallTest() {
        URI base = URI.create(FakeUpstream.url());
        ChatCompletionsApi api = new ChatCompletionsApi(base, Optional.of("sk-unit"), Duration.ofSeconds(5));
        context = new CallContext(api, new UpstreamTracing(OpenTelemetry.noop(), api.uri()), threads,
                new Watchdog(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(1), scheduler, threads),
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofSeconds(2)), retried, new CircuitBreaker(100, 1, System::nanoTime));
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        scheduler.shutdownNow();
    }

    /** Runs a call of {@code script} under {@code key} on a thread of its own; returns what its listener heard so far, live. */
    private Heard call(String script, String key, boolean streaming) {
        Heard heard = new Heard(released);
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":" + streaming
                + ",\"x_script\":\"" + script + "\",\"x_key\":\"" + key + "\"}";
        heard.call = new UpstreamCall(context, body.getBytes(StandardCharsets.UTF_8), streaming, heard, released::incrementAndGet);
        threads.execute(heard.call);
        return heard;
    }

    @Test
    void aStreamIsReportedEventByEventAsSentThenCompletedWithDone() throws Exception {
        Heard heard = call("text", "unit-text", true);
        assertTrue(Await.until(Duration.ofSeconds(10), () -> heard.ended()));
        assertEquals(FakeUpstream.TEXT.stream().map(chunk -> "event " + chunk).toList(), heard.events.subList(0, FakeUpstream.TEXT.size()));
        assertEquals("completed true", heard.events.get(heard.events.size() - 1));
        assertEquals("Bearer sk-unit", FakeUpstream.authorization("unit-text"));
        assertTrue(Await.until(Duration.ofSeconds(5), () -> released.get() == 1), "the permit is given back once");
        assertEquals(1, heard.releasedAtEnd, "the permit is back before the end is reported (a client's next turn comes on it)");
    }

    @Test
    void aRefusalIsOneFailureWithItsStatusAndCodeAndNothingOfItsBody() throws Exception {
        Heard heard = call("status401", "unit-401", true);
        assertTrue(Await.until(Duration.ofSeconds(10), () -> heard.ended()));
        assertEquals(List.of("failed 401 The upstream API answered HTTP 401 (fake_code)."), heard.events);
        assertEquals(1, FakeUpstream.attempts("unit-401"), "401 is not retried");
    }

    @Test
    void a429IsRetriedAfterItsRetryAfterAndTheListenerHearsOnlyTheGoodStream() throws Exception {
        long before = retried.sum();
        Heard heard = call("retry429", "unit-429", true);
        assertTrue(Await.until(Duration.ofSeconds(10), () -> heard.ended()));
        assertEquals("completed true", heard.events.get(heard.events.size() - 1));
        assertTrue(heard.events.stream().noneMatch(event -> event.startsWith("failed")), String.valueOf(heard.events));
        assertEquals(2, FakeUpstream.attempts("unit-429"));
        assertEquals(before + 1, retried.sum());
    }

    @Test
    void aStreamCutBeforeDoneIsCompletedWithoutDone() throws Exception {
        Heard heard = call("cut", "unit-cut", true);
        assertTrue(Await.until(Duration.ofSeconds(10), () -> heard.ended()));
        assertEquals("completed false", heard.events.get(heard.events.size() - 1));
        assertEquals(4, heard.events.size(), "three chunks, then the end");
    }

    @Test
    void aWholeAnswerIsOneBody() throws Exception {
        Heard heard = call("whole", "unit-whole", false);
        assertTrue(Await.until(Duration.ofSeconds(10), () -> heard.ended()));
        assertEquals(List.of("body " + FakeUpstream.WHOLE), heard.events);
        assertEquals(1, heard.releasedAtEnd, "the permit is back before the answer is reported");
    }

    @Test
    void anAbortedCallReportsNothingMoreAndHangsUp() throws Exception {
        Heard heard = call("slow", "unit-abort", true);
        assertTrue(Await.until(Duration.ofSeconds(10), () -> heard.events.size() >= 2), "streaming");
        heard.call.abort();
        assertTrue(Await.until(Duration.ofSeconds(10), () -> FakeUpstream.hungUp("unit-abort")), "the upstream sees its connection closed");
        int after = heard.events.size();
        assertTrue(Await.until(Duration.ofSeconds(5), () -> released.get() == 1), "the permit is given back");
        assertEquals(after, heard.events.size(), "nothing reported after the abort");
        assertTrue(heard.events.stream().allMatch(event -> event.startsWith("event ")), String.valueOf(heard.events));
    }

    /** What a call's listener heard, as "kind detail" lines in order. */
    private static final class Heard implements UpstreamListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger released;
        UpstreamCall call;
        /** How many permits had been given back when the end (completed or body) was reported. */
        volatile int releasedAtEnd = -1;

        Heard(AtomicInteger released) {
            this.released = released;
        }

        boolean ended() {
            return !events.isEmpty() && !events.get(events.size() - 1).startsWith("event ");
        }

        @Override
        public void event(String data) {
            events.add("event " + data);
        }

        @Override
        public void completed(boolean done) {
            releasedAtEnd = released.get();
            events.add("completed " + done);
        }

        @Override
        public void body(String json) {
            releasedAtEnd = released.get();
            events.add("body " + json);
        }

        @Override
        public void failed(Integer status, String message) {
            events.add("failed " + status + " " + message);
        }

        @Override
        public void timedOut(String message) {
            events.add("timedOut " + message);
        }
    }
}
