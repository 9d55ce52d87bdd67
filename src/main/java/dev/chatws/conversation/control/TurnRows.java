package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.TokenUsage;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.util.List;

/**
 * The rows a committed turn writes to a conversation that is already stored, as native SQL with
 * bound parameters in the caller's transaction: one UPDATE of the conversation (what
 * {@code touch} sets, and the turn's tokens added) and one multi-row INSERT of its messages.
 *
 * <p>Why not JPQL and {@code persist}: EclipseLink sent the JPQL update to H2 as a statement with
 * its values written in (it binds no parameter in an expression that uses a function, here
 * {@code coalesce}), so H2 parsed it anew every turn, and each message went through the unit of
 * work's change sets. Profiled at 128 streams, the commit of each turn was 8 % of the server's
 * CPU, the update alone 4.5 % (docs/benchmarks.md). Native queries are plain Jakarta Persistence:
 * every provider binds their parameters, and the statement text depends only on how many messages
 * the turn adds, so the database and the providers' statement caches keep a handful of them.
 *
 * <p>Stateless; column names as the entities map them ({@code StoredConversation},
 * {@code StoredMessage}).
 */
final class TurnRows {

    private static final String UPDATE = "update chat_conversation set last_active = ?, updated_ms = ?, active_seq = ?, path_length = ?, model = ?,"
            + " prompt_tokens = coalesce(prompt_tokens, 0) + ?, completion_tokens = coalesce(completion_tokens, 0) + ?,"
            + " cached_tokens = coalesce(cached_tokens, 0) + ?, reasoning_tokens = coalesce(reasoning_tokens, 0) + ? where id = ?";

    private static final String INSERT = "insert into chat_message (conversation_id, seq, parent_seq, body, request) values ";
    private static final String ROW = "(?, ?, ?, ?, ?)";

    private TurnRows() {
    }

    /**
     * Updates stored conversation {@code id} for a committed turn: active at {@code now}, its active
     * leaf, path length and model, and {@code usage} added to its counts.
     *
     * @return whether the conversation was there to update (false: it was deleted)
     */
    static boolean update(EntityManager em, String id, int active, int pathLength, String model, TokenUsage usage, long now) {
        return em.createNativeQuery(UPDATE)
                .setParameter(1, now / 1000).setParameter(2, now).setParameter(3, active).setParameter(4, pathLength)
                .setParameter(5, model)
                .setParameter(6, usage.prompt()).setParameter(7, usage.completion())
                .setParameter(8, usage.cached()).setParameter(9, usage.reasoning())
                .setParameter(10, id)
                .executeUpdate() == 1;
    }

    /** Inserts {@code nodes} as messages of conversation {@code id}, in one statement; a taken {@code seq} fails it (SQLState 23). */
    static void insert(EntityManager em, String id, List<HistoryStore.Node> nodes) {
        Query insert = em.createNativeQuery(insertSql(nodes.size()));
        int parameter = 1;
        for (HistoryStore.Node node : nodes) {
            insert.setParameter(parameter++, id).setParameter(parameter++, node.seq()).setParameter(parameter++, node.parent())
                    .setParameter(parameter++, node.body()).setParameter(parameter++, node.request());
        }
        insert.executeUpdate();
    }

    static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(INSERT.length() + rows * (ROW.length() + 2)).append(INSERT).append(ROW);
        for (int row = 1; row < rows; row++) {
            sql.append(", ").append(ROW);
        }
        return sql.toString();
    }
}
