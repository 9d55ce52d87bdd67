package dev.chatws.conversation.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ChatContextTest {

    private final ChatContext context = new ChatContext();
    private final Bean bean = new Bean();

    /** A bean whose instances are numbered, recording which were destroyed. */
    private static final class Bean implements Contextual<Object> {
        final AtomicInteger created = new AtomicInteger();
        final List<Object> destroyed = new ArrayList<>();

        @Override
        public Object create(CreationalContext<Object> creationalContext) {
            return "instance-" + created.incrementAndGet();
        }

        @Override
        public void destroy(Object instance, CreationalContext<Object> creationalContext) {
            destroyed.add(instance);
        }
    }

    private static final CreationalContext<Object> CC = new CreationalContext<>() {
        @Override
        public void push(Object incompleteInstance) {
        }

        @Override
        public void release() {
        }
    };

    @Test
    void oneInstancePerConversationTheSameForEveryCall() {
        assertTrue(context.open("a", null));
        assertTrue(context.open("b", null));
        AtomicReference<Object> a1 = new AtomicReference<>();
        AtomicReference<Object> a2 = new AtomicReference<>();
        AtomicReference<Object> b1 = new AtomicReference<>();
        context.run("a", () -> a1.set(context.get(bean, CC)));
        context.run("b", () -> b1.set(context.get(bean, CC)));
        context.run("a", () -> a2.set(context.get(bean, CC)));
        assertSame(a1.get(), a2.get());
        assertNotSame(a1.get(), b1.get());
        assertEquals(2, bean.created.get());
    }

    @Test
    void activeOnlyInsideRunAndNestedRunsRestoreTheOuterConversation() {
        context.open("a", null);
        context.open("b", null);
        assertFalse(context.isActive());
        assertThrows(ContextNotActiveException.class, () -> context.get(bean, CC));
        context.run("a", () -> {
            assertTrue(context.isActive());
            context.run("b", () -> assertEquals("b", context.currentId()));
            assertEquals("a", context.currentId());
        });
        assertFalse(context.isActive());
    }

    @Test
    void closingAConversationDestroysItsInstancesAndForgetsIt() {
        context.open("a", null);
        AtomicReference<Object> instance = new AtomicReference<>();
        context.run("a", () -> instance.set(context.get(bean, CC)));
        context.close("a");
        assertEquals(List.of(instance.get()), bean.destroyed);
        assertFalse(context.exists("a"));
        assertThrows(ContextNotActiveException.class, () -> context.run("a", () -> { }));
    }

    @Test
    void getWithoutCreationalContextDoesNotCreate() {
        context.open("a", null);
        context.run("a", () -> assertNull(context.get(bean)));
        assertEquals(0, bean.created.get());
        assertFalse(context.open("a", null), "an id is opened once");
    }

    @Test
    void aConversationOpenedWithASeedShowsItToItsBeans() {
        context.open("a", "stored history of a");
        context.open("b", null);
        context.run("a", () -> assertEquals("stored history of a", context.seed()));
        context.run("b", () -> assertNull(context.seed()));
    }

    @Test
    void logsShowTooLittleOfAnIdToJoinIt() {
        assertEquals("conv_3q2x…", ChatScope.redact("conv_3q2xK9aLw0vYbQm7tRz1eA"));
        assertEquals("conv_1", ChatScope.redact("conv_1"));
    }
}
