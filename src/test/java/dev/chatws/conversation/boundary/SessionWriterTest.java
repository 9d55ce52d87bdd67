package dev.chatws.conversation.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chatws.conversation.entity.RawFrame;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionWriterTest {

    /** What the fake socket records for a ping. */
    private static final String PING = "ping";

    /** A socket whose sends complete when the test says so, counting how many are in flight. */
    private static final class FakeSocket {
        final List<Object> sent = new ArrayList<>();
        final LinkedBlockingQueue<SendHandler> pending = new LinkedBlockingQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        volatile boolean completeInline;
        final List<Object> closed = new ArrayList<>();
        final List<String> writers = new ArrayList<>();
        /** Blocking writes wait for this gate once it is set; each counts {@code entered} down first. */
        volatile CountDownLatch gate;
        final CountDownLatch entered = new CountDownLatch(1);
        /** The next blocking write is refused as Liberty refuses one while an asynchronous send counts as in progress. */
        volatile boolean refuseNextBlocking;

        RemoteEndpoint.Basic basic() {
            return (RemoteEndpoint.Basic) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Basic.class}, (proxy, method, args) -> {
                        // Only sendObject: Liberty's blocking sendText and sendPing can wedge a socket (see SessionWriter).
                        if (!"sendObject".equals(method.getName()) || args.length != 1) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        if (refuseNextBlocking) {
                            refuseNextBlocking = false;
                            throw new IllegalStateException("write not allowed");
                        }
                        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        entered.countDown();
                        CountDownLatch wait = gate;
                        if (wait != null) {
                            assertTrue(wait.await(10, TimeUnit.SECONDS));
                        }
                        synchronized (sent) {
                            sent.add(args[0]);
                            writers.add(Thread.currentThread().getName());
                        }
                        inFlight.decrementAndGet();
                        return null;
                    });
        }

        Session session() {
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        if ("sendPing".equals(method.getName())) {
                            synchronized (sent) {
                                sent.add(PING);
                            }
                            return null;
                        }
                        if (!"sendObject".equals(method.getName()) || args.length != 2) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        synchronized (sent) {
                            sent.add(args[0]);
                        }
                        SendHandler handler = (SendHandler) args[1];
                        if (completeInline) {
                            inFlight.decrementAndGet();
                            handler.onResult(new SendResult());
                        } else {
                            pending.add(handler);
                        }
                        return null;
                    });
            return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getAsyncRemote" -> remote;
                        case "getBasicRemote" -> basic();
                        case "getId" -> "s1";
                        case "close" -> {
                            closed.add(args[0]);
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        void completeOne() throws InterruptedException {
            SendHandler handler = pending.poll(5, TimeUnit.SECONDS);
            assertTrue(handler != null, "a send is waiting to complete");
            inFlight.decrementAndGet();
            handler.onResult(new SendResult());
        }
    }

    @Test
    void startsTheNextSendOnlyWhenThePreviousCompleted() throws Exception {
        FakeSocket socket = new FakeSocket();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        for (int i = 0; i < 5; i++) {
            writer.send(new RawFrame("f" + i));
        }
        assertEquals(1, socket.sent.size(), "one send in flight");
        for (int i = 1; i < 5; i++) {
            socket.completeOne();
            assertEquals(i + 1, socket.sent.size());
        }
        socket.completeOne();
        assertEquals(List.of(new RawFrame("f0"), new RawFrame("f1"), new RawFrame("f2"), new RawFrame("f3"), new RawFrame("f4")), socket.sent);
        assertEquals(1, socket.mostInFlight.get());
    }

    @Test
    void goingAwayClosesWith1001OnlyAfterTheQueuedFramesAreSent() throws Exception {
        FakeSocket socket = new FakeSocket();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        writer.send(new RawFrame("terminal"));
        writer.send(new RawFrame("after"));
        writer.goAway();
        assertTrue(socket.closed.isEmpty(), "not while frames are queued");
        socket.completeOne();
        assertTrue(socket.closed.isEmpty());
        socket.completeOne();
        assertEquals(List.of(new RawFrame("terminal"), new RawFrame("after")), List.copyOf(socket.sent));
        assertEquals(1, socket.closed.size(), "closed once the frames are out");
        assertEquals(1001, ((jakarta.websocket.CloseReason) socket.closed.get(0)).getCloseCode().getCode());
    }

    @Test
    void aBacklogOverTheBoundDropsTheQueueStopsTheWriterAndTellsItsOwnerOnce() throws Exception {
        FakeSocket socket = new FakeSocket();
        List<SessionWriter> overflowed = new ArrayList<>();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, 100, overflowed::add);
        writer.send(new RawFrame("x".repeat(60)));
        writer.send(new RawFrame("y".repeat(60)));
        assertTrue(overflowed.isEmpty(), "one frame in flight, one queued: 60 bytes waiting");
        writer.send(new RawFrame("z".repeat(60)));
        assertEquals(List.of(writer), overflowed);
        writer.send(new RawFrame("late"));
        socket.completeOne();
        assertEquals(1, socket.sent.size(), "nothing more is sent once the writer stopped");
        assertEquals(1, overflowed.size());
    }

    @Test
    void goingAwayWhenIdleClosesAtOnce() {
        FakeSocket socket = new FakeSocket();
        new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { }).goAway();
        assertEquals(1, socket.closed.size());
    }

    @Test
    void sendsThatCompleteInlineDoNotRecurse() {
        FakeSocket socket = new FakeSocket();
        socket.completeInline = true;
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        for (int i = 0; i < 100_000; i++) {
            writer.send(new RawFrame("f" + i));
        }
        assertEquals(100_000, socket.sent.size());
        assertEquals(1, socket.mostInFlight.get());
    }

    @Test
    void manyThreadsSendingKeepOneInFlightAndLoseNothing() throws Exception {
        FakeSocket socket = new FakeSocket();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch sent = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.execute(() -> {
                for (int i = 0; i < 500; i++) {
                    writer.send(new RawFrame(thread + ":" + i));
                }
                sent.countDown();
            });
        }
        ExecutorService completer = Executors.newSingleThreadExecutor();
        completer.execute(() -> {
            try {
                for (int i = 0; i < 2000; i++) {
                    socket.completeOne();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(sent.await(10, TimeUnit.SECONDS));
        completer.shutdown();
        assertTrue(completer.awaitTermination(10, TimeUnit.SECONDS));
        threads.shutdown();
        assertEquals(2000, socket.sent.size());
        assertEquals(1, socket.mostInFlight.get());
        for (int t = 0; t < 4; t++) {
            String prefix = t + ":";
            List<Object> ofThread = socket.sent.stream().filter(f -> ((RawFrame) f).json().startsWith(prefix)).toList();
            for (int i = 0; i < 500; i++) {
                assertEquals(new RawFrame(prefix + i), ofThread.get(i), "each thread's frames in its order");
            }
        }
    }

    @Test
    void pushedFramesAreWrittenInOrderByTheThreadThatFlushes() {
        FakeSocket socket = new FakeSocket();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        writer.push(new RawFrame("a"));
        writer.push(new RawFrame("b"));
        assertTrue(socket.sent.isEmpty(), "pushing does not send");
        writer.flush();
        assertEquals(List.of(new RawFrame("a"), new RawFrame("b")), socket.sent);
        assertEquals(List.of(Thread.currentThread().getName(), Thread.currentThread().getName()), socket.writers);
        assertEquals(1, socket.mostInFlight.get());
    }

    @Test
    void aFlushWhileAnAsynchronousSendIsInFlightLeavesThePushedFramesToIt() throws Exception {
        FakeSocket socket = new FakeSocket();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        writer.send(new RawFrame("a"));
        writer.push(new RawFrame("b"));
        writer.flush();
        assertEquals(1, socket.sent.size(), "b waits for a's send to complete");
        socket.completeOne();
        socket.completeOne();
        assertEquals(List.of(new RawFrame("a"), new RawFrame("b")), socket.sent);
        assertEquals(1, socket.mostInFlight.get());
    }

    @Test
    void aFrameTheBlockingEndpointRefusesGoesOutAsynchronouslyAndNothingIsLostOrReordered() throws Exception {
        FakeSocket socket = new FakeSocket();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        socket.refuseNextBlocking = true;
        writer.push(new RawFrame("a"));
        writer.push(new RawFrame("b"));
        writer.flush();
        socket.completeOne();
        socket.completeOne();
        assertEquals(List.of(new RawFrame("a"), new RawFrame("b")), socket.sent);
    }

    @Test
    void aPingDueDuringABlockingWriteGoesOutAsynchronouslyInItsTurn() throws Exception {
        FakeSocket socket = new FakeSocket();
        socket.gate = new CountDownLatch(1);
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, w -> { });
        ExecutorService reader = Executors.newSingleThreadExecutor();
        writer.push(new RawFrame("a"));
        reader.execute(writer::flush);
        assertTrue(socket.entered.await(5, TimeUnit.SECONDS), "the blocking write started");
        Heartbeat.beat(writer, System.nanoTime(), Long.MAX_VALUE, true);
        writer.push(new RawFrame("b"));
        writer.flush();
        socket.gate.countDown();
        reader.shutdown();
        assertTrue(reader.awaitTermination(5, TimeUnit.SECONDS));
        socket.completeOne();
        assertEquals(List.of(new RawFrame("a"), PING, new RawFrame("b")), socket.sent, "nothing lost or reordered");
        assertEquals(1, socket.writers.size(), "only a went out through the blocking endpoint");
    }

    @Test
    void aSocketThatDidNotAnswerAPingIsClosedOnTheCloserNotOnTheHeartbeatsThread() {
        FakeSocket socket = new FakeSocket();
        socket.completeInline = true;
        List<Runnable> closes = new ArrayList<>();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, closes::add, Long.MAX_VALUE, w -> { });
        Heartbeat.beat(writer, System.nanoTime(), Long.MAX_VALUE, true);
        assertEquals(List.of(PING), socket.sent, "pinged");
        Heartbeat.beat(writer, System.nanoTime(), Long.MAX_VALUE, true);
        assertTrue(socket.closed.isEmpty(), "a close can block on Liberty: not on the beating thread");
        assertEquals(1, closes.size());
        closes.get(0).run();
        assertEquals(1008, ((jakarta.websocket.CloseReason) socket.closed.get(0)).getCloseCode().getCode());
    }

    @Test
    void aClientThatTakesNoFrameForTheWriteTimeoutIsCutOffOnce() throws Exception {
        FakeSocket socket = new FakeSocket();
        socket.gate = new CountDownLatch(1);
        List<SessionWriter> cutOff = new java.util.concurrent.CopyOnWriteArrayList<>();
        SessionWriter writer = new SessionWriter(socket.session(), "client", null, Runnable::run, Long.MAX_VALUE, cutOff::add);
        long timeout = TimeUnit.SECONDS.toNanos(10);
        Heartbeat.checkWrite(writer, System.nanoTime() + 2 * timeout, timeout);
        assertTrue(cutOff.isEmpty(), "no write in progress: nothing to time out");
        ExecutorService reader = Executors.newSingleThreadExecutor();
        writer.push(new RawFrame("stuck"));
        writer.push(new RawFrame("queued"));
        reader.execute(writer::flush);
        assertTrue(socket.entered.await(5, TimeUnit.SECONDS), "the blocking write started");
        Heartbeat.checkWrite(writer, System.nanoTime(), timeout);
        assertTrue(cutOff.isEmpty(), "not before the timeout");
        Heartbeat.checkWrite(writer, System.nanoTime() + 2 * timeout, timeout);
        Heartbeat.checkWrite(writer, System.nanoTime() + 3 * timeout, timeout);
        assertEquals(List.of(writer), cutOff, "told once");
        socket.gate.countDown();
        reader.shutdown();
        assertTrue(reader.awaitTermination(5, TimeUnit.SECONDS));
        writer.push(new RawFrame("late"));
        writer.flush();
        writer.send(new RawFrame("later"));
        assertEquals(List.of(new RawFrame("stuck")), socket.sent, "the queue was dropped and the writer stopped");
    }
}
