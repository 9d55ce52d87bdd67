package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.StoredConversation;
import dev.chatws.conversation.entity.StoredMessage;
import dev.chatws.errors.Causes;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The committed histories, in a relational database through Jakarta Persistence: unset
 * {@code chat.db.url}, an H2 file database in the server's working directory (on Liberty its
 * output directory), which needs no setup; set, any database with its JDBC driver in the WAR
 * (H2 and PostgreSQL are), with {@code chat.db.user} and {@code chat.db.password}.
 *
 * <p>The persistence unit is application-managed ({@code META-INF/chat-ws-persistence.xml},
 * resource-local, EclipseLink's own connection pool), so the database is chosen by MicroProfile
 * Config alone and the WAR needs no data source from the server. Each method is one transaction;
 * after each write the other servers on the same PostgreSQL hear of it ({@link ChangeFeed}).
 *
 * <p>Application-scoped and thread-safe: every call uses its own entity manager. Calls block on
 * the database; callers are the conversation's threads, never the upstream's.
 */
@ApplicationScoped
public class ConversationStore implements HistoryStore {

    /** The embedded default: an H2 file under the server's working directory. */
    static final String DEFAULT_URL = "jdbc:h2:./chat-db/conversations;TRACE_LEVEL_FILE=0";

    private static final Logger LOG = Logger.getLogger(ConversationStore.class.getName());

    @Inject
    @ConfigProperty(name = "chat.db.url", defaultValue = DEFAULT_URL)
    String url;

    @Inject
    @ConfigProperty(name = "chat.db.user")
    Optional<String> user;

    @Inject
    @ConfigProperty(name = "chat.db.password")
    Optional<String> password;

    @Inject
    @ConfigProperty(name = "chat.db.max-connections", defaultValue = "16")
    int maxConnections;

    @Resource
    ManagedExecutorService executor;

    /** Tells the other servers (PostgreSQL) of every change made here. */
    @Inject
    ChangeFeed feed;

    private volatile EntityManagerFactory factory;
    private volatile boolean connected;

    /**
     * Connects in the background as the application starts (creating the tables if missing), so
     * the first turn does not wait for it; a failure here is retried on first use.
     */
    void connectEarly(@Observes @Initialized(ApplicationScoped.class) Object started) {
        executor.execute(() -> {
            try {
                ping();
            } catch (StoreException e) {
                LOG.warning(() -> e.getMessage() + "; it is tried again when a conversation needs it");
            }
        });
    }

    /** Whether the store has answered since the application started (its tables exist). */
    public boolean connected() {
        return connected;
    }

    /** Asks the database a trivial question; throws if it does not answer. */
    public void ping() {
        call(em -> em.find(StoredConversation.class, ""));
        connected = true;
    }

    /** The conversation {@code id}, or empty if the store has no such conversation. */
    @Override
    public Optional<Stored> load(String id) {
        return call(em -> {
            StoredConversation conversation = em.find(StoredConversation.class, id);
            if (conversation == null) {
                return Optional.empty();
            }
            List<Node> messages = em.createQuery(
                    "select m from StoredMessage m where m.conversationId = :id order by m.seq", StoredMessage.class)
                    .setParameter("id", id)
                    .getResultList().stream()
                    .map(m -> new Node(m.seq(), m.parentSeq(), m.body(), m.request()))
                    .toList();
            return Optional.of(new Stored(conversation.created(), conversation.owner(), messages, conversation.activeSeq(),
                    conversation.title(), conversation.settings(), conversation.usage()));
        });
    }

    /**
     * How many messages conversation {@code id} has in the store and which is its active leaf (one
     * query, no message read); empty if the store has no such conversation.
     */
    @Override
    public Optional<Mark> mark(String id) {
        return call(em -> {
            List<Object[]> rows = em.createQuery(
                    "select count(m), c.activeSeq from StoredConversation c left join StoredMessage m on m.conversationId = c.id"
                    + " where c.id = :id group by c.id, c.activeSeq", Object[].class)
                    .setParameter("id", id)
                    .getResultList();
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            Object active = rows.get(0)[1];
            return Optional.of(new Mark(((Number) rows.get(0)[0]).longValue(), active == null ? -1 : ((Number) active).intValue()));
        });
    }

    /**
     * Stores {@code nodes} of conversation {@code id} in one transaction, creating the
     * conversation (owned by {@code owner}, null: anonymous) if it is not stored yet, makes
     * {@code active} its active leaf and marks it active at {@code now}. Fails, committing
     * nothing, if a {@code seq} is taken (another server committed to this conversation since it
     * was loaded here) or if the conversation had been stored and was deleted since.
     */
    @Override
    public void append(String id, long created, String owner, List<Node> nodes, int active, Summary summary, long now) {
        try {
            appendOnce(id, created, owner, nodes, active, summary, now);
            feed.changed(id);
        } catch (StoreException first) {
            if (first.conflict()) {
                throw first;
            }
            // A pooled connection the database dropped (a restart, a failover) fails the first try.
            LOG.info(() -> "A commit failed (" + first.getMessage() + "); trying it once more on a fresh connection");
            appendOnce(id, created, owner, nodes, active, summary, now);
            feed.changed(id);
        }
    }

    private void appendOnce(String id, long created, String owner, List<Node> nodes, int active, Summary summary, long now) {
        inTransaction(em -> {
            StoredConversation conversation = nodes.get(0).seq() == 0 ? em.find(StoredConversation.class, id) : null;
            if (nodes.get(0).seq() == 0 && conversation == null) {
                conversation = new StoredConversation(id, created, now, owner, active);
                conversation.committed(summary.pathLength(), summary.model(), summary.usage());
                em.persist(conversation);
            } else if (!TurnRows.update(em, id, active, summary.pathLength(), summary.model(), summary.usage(), now)) {
                throw new IllegalStateException("The conversation was deleted from the store");
            }
            TurnRows.insert(em, id, nodes);
            if (owner != null && !summary.usage().isEmpty()) {
                ConversationCatalog.addUsage(em, owner, summary.usage());
            }
            return null;
        });
    }

    @Override
    public void describe(String id, long created, String owner, String title, String settings, long now) {
        inTransaction(em -> {
            StoredConversation conversation = em.find(StoredConversation.class, id);
            if (conversation == null) {
                conversation = new StoredConversation(id, created, now, owner, -1);
                em.persist(conversation);
            }
            conversation.describe(title, settings, now);
            return null;
        });
        feed.changed(id);
    }

    @Override
    public void activate(String id, int active, int pathLength, long now) {
        inTransaction(em -> {
            touch(em, id, active, pathLength, now);
            return null;
        });
        feed.changed(id);
    }

    private static void touch(EntityManager em, String id, int active, int pathLength, long now) {
        if (em.createQuery("update StoredConversation c set c.lastActive = :seconds, c.updatedMillis = :now, c.activeSeq = :active,"
                + " c.pathLength = :length where c.id = :id")
                .setParameter("seconds", now / 1000).setParameter("now", now).setParameter("active", active).setParameter("length", pathLength)
                .setParameter("id", id).executeUpdate() == 0) {
            throw new IllegalStateException("The conversation was deleted from the store");
        }
    }

    /** Deletes conversation {@code id} and its messages; false if it was not stored. */
    @Override
    public boolean delete(String id) {
        boolean deleted = inTransaction(em -> deleteWhere(em, id, Long.MAX_VALUE));
        feed.changed(id);
        return deleted;
    }

    /** Deletes conversation {@code id} and its messages if it was not updated since {@code before} (epoch seconds; in {@code em}'s transaction). */
    static boolean deleteWhere(EntityManager em, String id, long before) {
        int deleted = em.createQuery("delete from StoredConversation c where c.id = :id and c.lastActive < :before")
                .setParameter("id", id)
                .setParameter("before", before)
                .executeUpdate();
        if (deleted == 0) {
            return false;
        }
        em.createQuery("delete from StoredMessage m where m.conversationId = :id")
                .setParameter("id", id)
                .executeUpdate();
        return true;
    }

    /** Runs {@code work} with an entity manager of its own; a failure is a {@link StoreException}. */
    <T> T call(Function<EntityManager, T> work) {
        try {
            EntityManager em = factory().createEntityManager();
            try {
                return work.apply(em);
            } finally {
                em.close();
            }
        } catch (RuntimeException e) {
            // EclipseLink's own exceptions (DatabaseException for a dropped connection) are not PersistenceExceptions.
            throw failure(e);
        }
    }

    /** Runs {@code work} in a transaction of its own, committed if it returns; a failure is a {@link StoreException}. */
    <T> T inTransaction(Function<EntityManager, T> work) {
        return call(em -> {
            EntityTransaction transaction = em.getTransaction();
            transaction.begin();
            try {
                T result = work.apply(em);
                transaction.commit();
                return result;
            } finally {
                if (transaction.isActive()) {
                    transaction.rollback();
                }
            }
        });
    }

    private StoreException failure(RuntimeException e) {
        return new StoreException("The conversation store failed: " + e.getClass().getSimpleName() + " caused by " + Causes.root(e).getClass().getName(), e);
    }

    /** The entity manager factory, created on first use with the tables it lacks ({@link StoreSchema}); tried again after a failure. */
    EntityManagerFactory factory() {
        EntityManagerFactory current = factory;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (factory == null) {
                factory = StoreSchema.open(url, user, password, maxConnections);
            }
            return factory;
        }
    }

    @PreDestroy
    void close() {
        EntityManagerFactory current = factory;
        if (current != null && current.isOpen()) {
            current.close();
        }
    }
}
