package dev.chatws.slow;

import dev.chatws.conversation.control.ConversationStore;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.List;

/** A conversation store whose every commit takes {@value #COMMIT_MILLIS} ms, for tests of what a slow database must not hold up. */
@Alternative
@Priority(1)
@ApplicationScoped
public class SlowStore extends ConversationStore {

    public static final long COMMIT_MILLIS = 3000;

    @Override
    public void append(String id, long created, String owner, List<Node> messages, int active, Summary summary, long now) {
        try {
            Thread.sleep(COMMIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.append(id, created, owner, messages, active, summary, now);
    }
}
