package dev.chatws.limits.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClientBudgetTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-25T23:00:00Z"));

    @Test
    void connectionsAreCountedPerClientAndFreedOnDisconnect() {
        ClientBudget budget = new ClientBudget(2, 0, 0, now::get);
        assertTrue(budget.connect("a"));
        assertTrue(budget.connect("a"));
        assertFalse(budget.connect("a"), "a third socket of a is refused");
        assertTrue(budget.connect("b"), "b has its own count");
        budget.disconnect("a");
        assertTrue(budget.connect("a"), "a closed one, so one more may open");
    }

    @Test
    void turnsPerMinuteRefillContinuouslyAndSayWhenTheNextMayStart() {
        ClientBudget budget = new ClientBudget(0, 6, 0, now::get);
        for (int i = 0; i < 6; i++) {
            assertEquals(OptionalLong.empty(), budget.startTurn("a"), "turn " + i);
        }
        assertEquals(OptionalLong.of(10), budget.startTurn("a"), "6 a minute: one every 10 s");
        assertEquals(OptionalLong.empty(), budget.startTurn("b"), "b has its own bucket");
        now.set(now.get().plus(Duration.ofSeconds(4)));
        assertEquals(OptionalLong.of(6), budget.startTurn("a"));
        now.set(now.get().plus(Duration.ofSeconds(6)));
        assertEquals(OptionalLong.empty(), budget.startTurn("a"));
        assertTrue(budget.startTurn("a").isPresent(), "the refilled turn was taken");
    }

    @Test
    void tokensPerDayCountUsageUntilMidnightUtc() {
        ClientBudget budget = new ClientBudget(0, 0, 100, now::get);
        assertEquals(OptionalLong.empty(), budget.startTurn("a"));
        budget.spend("a", 60);
        assertEquals(OptionalLong.empty(), budget.startTurn("a"), "60 of 100 spent");
        budget.spend("a", 60);
        assertEquals(OptionalLong.of(3600), budget.startTurn("a"), "spent; midnight UTC is an hour away");
        assertEquals(OptionalLong.empty(), budget.startTurn("b"));
        now.set(Instant.parse("2026-11-26T00:00:01Z"));
        assertEquals(OptionalLong.empty(), budget.startTurn("a"), "a new day");
    }

    @Test
    void fullBucketsAreForgottenAndZeroMeansNoBound() {
        ClientBudget budget = new ClientBudget(0, 2, 0, now::get);
        budget.startTurn("a");
        budget.startTurn("a");
        now.set(now.get().plus(Duration.ofSeconds(30)));
        budget.startTurn("b");
        budget.startTurn("b");
        now.set(now.get().plus(Duration.ofSeconds(30)));
        assertEquals(2, budget.bucketsHeld());
        budget.forgetIdle();
        assertEquals(1, budget.bucketsHeld(), "a's bucket is full again and forgotten; b's (two turns 30 s ago) is not");
        assertEquals(OptionalLong.empty(), budget.startTurn("a"));
        ClientBudget unbounded = new ClientBudget(0, 0, 0, now::get);
        for (int i = 0; i < 1000; i++) {
            assertTrue(unbounded.connect("a"));
            assertEquals(OptionalLong.empty(), unbounded.startTurn("a"));
        }
    }

    @Test
    void turnsUsedOnOtherServersAreTakenOutOfTheBucketOnceAndAMinutesEndForgetsNone() {
        ClientBudget budget = new ClientBudget(0, 3, 0, now::get);
        long minute = now.get().getEpochSecond() / 60;
        budget.elsewhere(minute, java.util.Map.of("a", new long[] {2, 0, 0}));
        assertEquals(OptionalLong.empty(), budget.startTurn("a"), "3 a minute, 2 of them elsewhere: one more here");
        assertEquals(OptionalLong.of(20), budget.startTurn("a"), "then the bucket is empty; it refills at 3 a minute");
        assertEquals(OptionalLong.empty(), budget.startTurn("b"), "b used nothing elsewhere");
        now.set(now.get().plusSeconds(20));
        budget.elsewhere(minute, java.util.Map.of("a", new long[] {2, 0, 0}));
        assertEquals(OptionalLong.empty(), budget.startTurn("a"), "the same 2 heard again are not taken twice");
        now.set(now.get().plusSeconds(40));
        // The next minute: one more turn elsewhere at the end of the last (3 in all there), one in this one.
        budget.elsewhere(minute + 1, java.util.Map.of("a", new long[] {1, 0, 3}));
        assertEquals(OptionalLong.of(20), budget.startTurn("a"),
                "40 s refilled 2, and the 2 turns not heard of yet took them: a minute's end forgets nothing");
    }

    @Test
    void aFirstHearingCountsTheLast60SecondsOfTurnsElsewhere() {
        ClientBudget budget = new ClientBudget(0, 3, 0, now::get);
        now.set(now.get().plusSeconds(30));
        budget.elsewhere(now.get().getEpochSecond() / 60, java.util.Map.of("c", new long[] {1, 0, 2}));
        assertEquals(OptionalLong.empty(), budget.startTurn("c"), "1 this minute and half of the 2 before: 2 of 3 used");
        assertTrue(budget.startTurn("c").isPresent(), "then none is left");
    }

    @Test
    void tokensUsedOnOtherServersTodayCountHere() {
        ClientBudget budget = new ClientBudget(0, 3, 100, now::get);
        budget.elsewhere(now.get().getEpochSecond() / 60, java.util.Map.of("a", new long[] {0, 100, 0}));
        assertEquals(OptionalLong.of(3600), budget.startTurn("a"), "100 tokens spent elsewhere today: none left here until midnight UTC");
        assertEquals(OptionalLong.empty(), budget.startTurn("b"));
    }

    @Test
    void whatThisServerUsedIsDrainedOnceForTheOthers() {
        ClientBudget budget = new ClientBudget(0, 5, 100, now::get);
        budget.startTurn("a");
        budget.startTurn("a");
        budget.spend("a", 30);
        budget.startTurn("b");
        java.util.Map<String, long[]> used = budget.drain();
        assertEquals(2, used.get("a")[0]);
        assertEquals(30, used.get("a")[1]);
        assertEquals(1, used.get("b")[0]);
        assertTrue(budget.drain().isEmpty(), "said once");
        budget.undrain(used);
        assertEquals(2, budget.drain().get("a")[0], "what could not be told is told next time");
        assertEquals(java.util.Set.of("a", "b"), budget.clients());
    }
}
