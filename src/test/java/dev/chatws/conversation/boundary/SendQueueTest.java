package dev.chatws.conversation.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import org.junit.jupiter.api.Test;

/** The send queue alone, with no socket: the right to send, order, the bound, the close that waits. */
class SendQueueTest {

    private static final CloseReason BYE = new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "bye");

    private final SendQueue queue = new SendQueue(10, frame -> ((String) frame).length());

    @Test
    void theFirstOfferTakesTheRightToSendAndLaterOnesQueueBehindIt() {
        assertEquals(SendQueue.Offer.SEND, queue.offer("a", true));
        assertEquals(SendQueue.Offer.QUEUED, queue.offer("b", true), "someone holds the right");
        assertEquals("a", queue.next().frame());
        assertEquals("b", queue.next().frame());
        SendQueue.Next last = queue.next();
        assertNull(last.frame());
        assertNull(last.close());
        assertEquals(SendQueue.Offer.SEND, queue.offer("c", true), "the right was given up");
    }

    @Test
    void aPushedFrameWaitsUntilSomeoneClaimsTheRight() {
        assertEquals(SendQueue.Offer.QUEUED, queue.offer("a", false));
        assertTrue(queue.claim());
        assertFalse(queue.claim(), "one holder at a time");
        assertEquals("a", queue.next().frame());
        assertNull(queue.next().frame());
        assertFalse(queue.claim(), "nothing waits");
    }

    @Test
    void goingOverTheBoundDropsEverythingOnceAndForGood() {
        queue.offer("12345", true);
        assertEquals(SendQueue.Offer.QUEUED, queue.offer("12345", true));
        assertEquals(10, queue.bytes());
        assertEquals(SendQueue.Offer.OVERFLOW, queue.offer("x", true));
        assertEquals(0, queue.bytes());
        assertTrue(queue.broken());
        assertEquals(SendQueue.Offer.DROPPED, queue.offer("y", true));
        assertNull(queue.next().frame(), "the holder finds nothing more");
        assertFalse(queue.breakOff(), "already broken");
    }

    @Test
    void theBytesOfAFrameCountUntilItIsTakenAndAgainWhenPutBack() {
        queue.offer("1234", true);
        queue.offer("56", true);
        assertEquals(6, queue.bytes());
        Object first = queue.next().frame();
        assertEquals(2, queue.bytes());
        assertTrue(queue.putBack(first));
        assertEquals(6, queue.bytes());
        assertEquals("1234", queue.next().frame(), "back at the head");
    }

    @Test
    void aCloseWaitsForTheQueueToDrainAndIsHandedOverOnce() {
        queue.offer("a", true);
        assertFalse(queue.closeWhenDrained(BYE), "the holder will meet it");
        assertEquals("a", queue.next().frame());
        assertEquals(BYE, queue.next().close());
        assertTrue(queue.closeWhenDrained(BYE), "idle: the caller holds the right at once");
        assertEquals(BYE, queue.next().close());
        assertNull(queue.next().close(), "once");
    }

    @Test
    void aBrokenQueueClosesNothingAndAFailedSendGivesUpTheRight() {
        queue.offer("a", true);
        queue.closeWhenDrained(BYE);
        queue.failed();
        assertTrue(queue.broken());
        SendQueue.Next next = queue.next();
        assertNull(next.frame());
        assertNull(next.close(), "whoever broke it closes the socket");
        assertFalse(queue.putBack("a"));
    }
}
