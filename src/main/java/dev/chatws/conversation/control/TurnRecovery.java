package dev.chatws.conversation.control;

import dev.chatws.conversation.entity.TokenUsage;
import dev.chatws.json.JsonText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ends the turns whose server died (their lease in {@code chat_turn} expired) as PROTOCOL §4 ends
 * a cancelled turn: the request's messages and the part of the answer that was relayed to sockets
 * elsewhere (the frames written for them; none if nobody elsewhere watched) are committed, once:
 * the first server to take the expired row over does it, and a commit whose place is already taken
 * (the dead server committed after all) commits nothing. The watchers then get the terminal
 * {@code chat.completion} with {@code "finish_reason":"cancelled"}.
 *
 * <p>Application-scoped and thread-safe; {@link #recover} blocks on the database.
 */
@ApplicationScoped
public class TurnRecovery {

    private static final Logger LOG = Logger.getLogger(TurnRecovery.class.getName());

    /** An expired turn this server took over: its id, its record, and whether sockets elsewhere watched it. */
    private record Expired(String turn, TurnRecord record, boolean watched) {
    }

    @Inject
    LeaseSql sql;

    @Inject
    ConversationStore store;

    @Inject
    LeaseWrites writes;

    @Inject
    ChangeFeed feed;

    @Inject
    TurnLeases leases;

    /** Ends the turn of {@code conversation} if its lease expired and no other server took it over first. */
    void recover(String conversation) {
        try {
            Optional<Expired> taken = sql.run(connection -> {
                long now = System.currentTimeMillis();
                try (ResultSet row = LeaseSql.query(connection, "select turn_id, record, watched_until_ms from chat_turn"
                        + " where conversation_id = ? and lease_until_ms < ? for update skip locked", conversation, now)) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    Expired expired = new Expired(row.getString(1), TurnRecord.parse(row.getString(2)), row.getLong(3) > 0);
                    LeaseSql.update(connection, "update chat_turn set server = ?, lease_until_ms = ? where turn_id = ?", feed.server(),
                            now + leases.leaseMillis(), expired.turn());
                    return Optional.of(expired);
                }
            });
            taken.ifPresent(expired -> end(conversation, expired));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: could not end a turn whose server stopped answering: {1}",
                    new Object[] {ChatScope.redact(conversation), e.getMessage()});
        }
    }

    private void end(String conversation, Expired expired) {
        List<TurnLedger.Frame> frames = expired.watched() ? leases.frames(expired.turn(), 0) : List.of();
        CompletionAggregate aggregate = new CompletionAggregate();
        int relayed = 0;
        for (TurnLedger.Frame frame : frames) {
            if (frame.last() || frame.seq() != relayed) {
                break;
            }
            aggregate.add(JsonText.object(frame.body()));
            relayed++;
        }
        JsonObject completion = aggregate.completion(true);
        Optional<String> assistant = aggregate.assistantMessage(true).map(message -> JsonText.wellFormed(message.toString()));
        TurnRecord record = expired.record();
        List<HistoryStore.Node> nodes = record.nodes(assistant);
        if (!nodes.isEmpty()) {
            try {
                store.append(conversation, record.created(), record.owner(), nodes, nodes.get(nodes.size() - 1).seq(),
                        record.summary(nodes.size(), TokenUsage.of(completion.get("usage"))), System.currentTimeMillis());
                LOG.log(Level.INFO, "{0}: ended a turn whose server stopped answering, as cancelled ({1} frame(s) relayed elsewhere)",
                        new Object[] {ChatScope.redact(conversation), relayed});
            } catch (StoreException e) {
                LOG.log(Level.INFO, "{0}: a turn whose server stopped answering had been committed already", ChatScope.redact(conversation));
            }
        }
        writes.end(conversation, expired.turn(), List.of(new TurnLedger.Frame(relayed, JsonText.wellFormed(completion.toString()), true)));
    }
}
