package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.bench.LoadClient;
import dev.chatws.bench.Scenarios;
import dev.chatws.bench.Stats;
import dev.chatws.fake.FakeUpstream;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A few seconds of every benchmark scenario against the built WAR, so the benchmark tool keeps
 * working (bench/run.sh runs it in full). It checks that the tool measures, not how fast.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BenchmarkSmokeIT {

    private static FakeUpstream upstream;

    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        upstream = FakeUpstream.start(0);
        return Deployments.withUpstream("chat-bench", upstream.baseUrl());
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void everyScenarioMeasures() throws Exception {
        URI chat = URI.create(base.toString().replaceFirst("^http", "ws") + "chat");
        Scenarios scenarios = new Scenarios(new LoadClient(chat, URI.create(upstream.baseUrl()), 2));

        Scenarios.Samples firstToken = scenarios.firstToken(20);
        assertEquals(20, firstToken.relay().length);
        assertEquals(0, firstToken.lost());
        assertTrue(Stats.of(firstToken.relay()).p50() > 0 && Stats.of(firstToken.floor()).p50() > 0);

        Scenarios.Samples streams = scenarios.concurrentStreams(4, 16, 5);
        assertEquals(64, streams.relay().length, "every chunk of every stream timed");
        assertEquals(64, streams.floor().length);
        assertEquals(0, streams.lost(), "nothing lost, repeated or reordered");

        double[] turns = scenarios.turnsPerSecond(4, Duration.ofSeconds(1));
        assertTrue(turns[0] > 0 && turns[1] > 0);

        Scenarios.Opened idle = scenarios.openIdle(50, 8);
        assertEquals(50, idle.sockets().size());
        assertTrue(idle.handshakesPerSecond() > 0);
        idle.closeAll();

        Scenarios.Opened conversations = scenarios.conversations(5, 3);
        assertEquals(5, conversations.sockets().size());
        conversations.closeAll();
    }
}
