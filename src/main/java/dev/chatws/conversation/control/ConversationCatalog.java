package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.StoredConversation;
import dev.chatws.conversation.entity.StoredUsage;
import dev.chatws.conversation.entity.TokenUsage;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The store's conversations as a collection (PROTOCOL §12): a user's conversations, most recently
 * updated first, a page at a time; the tokens a user's turns used; everything of a user, erased;
 * and retention's idle conversations. Lists read the index on (owner, updated_ms, id) from the
 * cursor on, so a page costs the same at the 10,000th conversation as at the first.
 *
 * <p>On start (and, if the store was down then, on first use) it brings a store of an earlier
 * version up to date: the list's index, the time of the last change in milliseconds and the active
 * path's length of every conversation stored before they were kept.
 *
 * <p>Application-scoped and thread-safe; every call is a database call on the caller's thread.
 */
@ApplicationScoped
public class ConversationCatalog {

    /** A conversation as a list shows it; {@code model} and {@code title} may be null. */
    public record Item(String id, long created, long updated, String title, int messages, String model, TokenUsage usage) {
    }

    /** One page of a list, and whether more follow. */
    public record Page(List<Item> items, boolean hasMore) {
    }

    private static final Logger LOG = Logger.getLogger(ConversationCatalog.class.getName());

    @Inject
    ConversationStore store;

    @Inject
    ChangeFeed feed;

    @Resource
    ManagedExecutorService executor;

    private volatile boolean upgraded;

    void upgradeEarly(@Observes @Initialized(ApplicationScoped.class) Object started) {
        executor.execute(() -> {
            try {
                upgrade();
            } catch (StoreException e) {
                LOG.fine(() -> "The store's upgrade waits for the store: " + e.getMessage());
            }
        });
    }

    /**
     * Up to {@code limit} of {@code owner}'s conversations that have a committed message, most
     * recently updated first, starting after conversation {@code after} (null: from the first);
     * empty if {@code after} is not one of them.
     */
    public Optional<Page> list(String owner, int limit, String after) {
        upgrade();
        return store.call(em -> {
            Object[] cursor = null;
            if (after != null) {
                List<Object[]> found = em.createQuery("select c.updatedMillis, c.id from StoredConversation c"
                        + " where c.id = :id and c.owner = :owner and c.pathLength > 0", Object[].class)
                        .setParameter("id", after).setParameter("owner", owner).getResultList();
                if (found.isEmpty()) {
                    return Optional.empty();
                }
                cursor = found.get(0);
            }
            var query = em.createNativeQuery(listQuery(cursor != null, limit + 1)).setParameter(1, owner);
            if (cursor != null) {
                query.setParameter(2, cursor[0]).setParameter(3, cursor[1]);
            }
            List<Item> items = new ArrayList<>();
            @SuppressWarnings("unchecked")
            List<Object[]> rows = query.getResultList();
            for (Object[] row : rows) {
                items.add(new Item((String) row[0], number(row[1]), number(row[2]) / 1000, (String) row[3], (int) number(row[4]), (String) row[5],
                        new TokenUsage(number(row[6]), number(row[7]), number(row[8]), number(row[9]))));
            }
            boolean more = items.size() > limit;
            return Optional.of(new Page(more ? items.subList(0, limit) : items, more));
        });
    }

    /**
     * The SQL of a page of the list: the owner's listed conversations (parameter 1), newest first,
     * after the cursor's (updated, id) (parameters 2 and 3) when {@code after}. The row comparison
     * and the literal row limit let the database walk the (owner, updated_ms, id) index backwards
     * from the cursor and stop after {@code rows}; PostgreSQL plans it so (ListScaleIT asserts the
     * plan). Native SQL, as JPQL has neither; H2 and PostgreSQL run it, as every store does that
     * knows SQL:2008's row limit and row comparisons.
     */
    public static String listQuery(boolean after, int rows) {
        return "select id, created, updated_ms, title, path_length, model, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens"
                + " from chat_conversation where owner_name = ? and path_length > 0" + (after ? " and (updated_ms, id) < (?, ?)" : "")
                + " order by updated_ms desc, id desc fetch first " + Math.max(1, rows) + " rows only";
    }

    /** The tokens {@code owner}'s committed turns used, over all of the user's conversations. */
    public TokenUsage usage(String owner) {
        return store.call(em -> {
            StoredUsage found = em.find(StoredUsage.class, owner);
            return found == null ? TokenUsage.NONE : found.usage();
        });
    }

    /** The ids of every conversation {@code owner} owns. */
    public List<String> owned(String owner) {
        return store.call(em -> em.createQuery("select c.id from StoredConversation c where c.owner = :owner", String.class)
                .setParameter("owner", owner).getResultList());
    }

    /** Deletes every conversation of {@code owner}, their messages and the user's usage, in one transaction; how many. */
    public int eraseAll(String owner) {
        List<String> ids = owned(owner);
        int erased = store.inTransaction(em -> {
            em.createQuery("delete from StoredMessage m where m.conversationId in"
                    + " (select c.id from StoredConversation c where c.owner = :owner)").setParameter("owner", owner).executeUpdate();
            int deleted = em.createQuery("delete from StoredConversation c where c.owner = :owner").setParameter("owner", owner).executeUpdate();
            em.createQuery("delete from StoredUsage u where u.owner = :owner").setParameter("owner", owner).executeUpdate();
            return deleted;
        });
        ids.forEach(feed::changed);
        return erased;
    }

    /** Adds {@code usage} to {@code owner}'s, in {@code em}'s transaction (a commit's). */
    static void addUsage(EntityManager em, String owner, TokenUsage usage) {
        int updated = em.createQuery("update StoredUsage u set u.promptTokens = u.promptTokens + :p, u.completionTokens = u.completionTokens + :c,"
                + " u.cachedTokens = u.cachedTokens + :k, u.reasoningTokens = u.reasoningTokens + :r where u.owner = :owner")
                .setParameter("p", usage.prompt()).setParameter("c", usage.completion()).setParameter("k", usage.cached())
                .setParameter("r", usage.reasoning()).setParameter("owner", owner).executeUpdate();
        if (updated == 0) {
            em.persist(new StoredUsage(owner, usage));
        }
    }

    /** Up to {@code limit} ids of conversations not updated since {@code before} (epoch seconds), for retention. */
    public List<String> idleSince(long before, int limit) {
        return store.call(em -> em.createQuery(
                "select c.id from StoredConversation c where c.lastActive < :before order by c.lastActive", String.class)
                .setParameter("before", before)
                .setMaxResults(limit)
                .getResultList());
    }

    /** Deletes conversation {@code id} if it was not updated since {@code before} (epoch seconds); false if it was, or is not stored. */
    public boolean deleteIfIdle(String id, long before) {
        boolean deleted = store.inTransaction(em -> ConversationStore.deleteWhere(em, id, before));
        if (deleted) {
            feed.changed(id);
        }
        return deleted;
    }

    /**
     * Brings a store of an earlier version up to date, once: the list's index (a table made before
     * it existed does not get it from the schema generation), and the path length of conversations
     * stored before it was kept, from their messages.
     */
    void upgrade() {
        if (upgraded) {
            return;
        }
        synchronized (this) {
            if (upgraded) {
                return;
            }
            store.call(em -> {
                try {
                    store.inTransaction(tx -> tx.createNativeQuery("create index if not exists chat_conversation_owner_updated"
                            + " on chat_conversation (owner_name, updated_ms, id)").executeUpdate());
                } catch (StoreException | PersistenceException e) {
                    LOG.log(Level.INFO, "The index chat_conversation_owner_updated could not be created here ({0}); create it by hand"
                            + " for fast lists", e.getMessage());
                }
                store.inTransaction(tx -> tx.createQuery("update StoredConversation c set c.updatedMillis = c.lastActive * 1000"
                        + " where c.updatedMillis is null").executeUpdate());
                List<String> unknown = em.createQuery("select c.id from StoredConversation c where c.pathLength is null", String.class)
                        .getResultList();
                for (String id : unknown) {
                    store.load(id).ifPresent(stored -> store.inTransaction(tx -> tx.createQuery(
                            "update StoredConversation c set c.pathLength = :length where c.id = :id and c.pathLength is null")
                            .setParameter("length", pathLength(stored)).setParameter("id", id).executeUpdate()));
                }
                if (!unknown.isEmpty()) {
                    LOG.log(Level.INFO, "Upgraded {0} conversation(s) of an earlier store for lists", unknown.size());
                }
                return null;
            });
            upgraded = true;
        }
    }

    /** The length of a stored conversation's active path. */
    static int pathLength(HistoryStore.Stored stored) {
        Map<Integer, Integer> parents = new HashMap<>();
        stored.messages().forEach(node -> parents.put(node.seq(), node.parent()));
        int leaf = stored.active() >= 0 && stored.active() < stored.messages().size() ? stored.active() : stored.messages().size() - 1;
        int length = 0;
        for (Integer at = leaf; at != null && at >= 0; at = parents.get(at)) {
            length++;
        }
        return length;
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
