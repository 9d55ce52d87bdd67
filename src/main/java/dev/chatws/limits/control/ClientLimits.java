package dev.chatws.limits.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.chatws.conversation.control.ChangeFeed;
import dev.chatws.conversation.control.LeaseSql;
import dev.chatws.conversation.control.TurnLedger;
import dev.chatws.json.JsonText;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The per-client limits of this server (a client is the authenticated user, else the client's
 * address): {@code chat.limits.connections-per-client} open sockets (over it: close 4429),
 * {@code chat.limits.turns-per-minute} and {@code chat.limits.tokens-per-day} of upstream usage
 * (over either: {@code rate_limited} with the seconds until a turn may start). 0: no bound.
 *
 * <p>With several servers on one PostgreSQL store, turns per minute and tokens per day count
 * across them: every 2 s each server adds what its clients used to the store and reads what they
 * used on the others ({@link SharedUse}), so a turn never waits for the database; a client may
 * overshoot by what it starts on other servers within those 2 s. Connections count per server.
 *
 * <p>Application-scoped and thread-safe; counts live in this server's memory.
 */
@ApplicationScoped
public class ClientLimits {

    private static final Logger LOG = Logger.getLogger(ClientLimits.class.getName());

    @Inject
    @ConfigProperty(name = "chat.limits.connections-per-client", defaultValue = "64")
    int connectionsPerClient;

    @Inject
    @ConfigProperty(name = "chat.limits.turns-per-minute", defaultValue = "60")
    int turnsPerMinute;

    @Inject
    @ConfigProperty(name = "chat.limits.tokens-per-day", defaultValue = "0")
    long tokensPerDay;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    TurnLedger ledger;

    @Inject
    ChangeFeed feed;

    @Inject
    LeaseSql sql;

    private ClientBudget budget;
    private ScheduledFuture<?> sweeper;
    private ScheduledFuture<?> sharing;
    private int shares;

    @PostConstruct
    void init() {
        budget = new ClientBudget(connectionsPerClient, turnsPerMinute, tokensPerDay, Instant::now);
        sweeper = scheduler.scheduleWithFixedDelay(budget::forgetIdle, 1, 1, TimeUnit.MINUTES);
        if (ledger.shared() && (turnsPerMinute > 0 || tokensPerDay > 0)) {
            sharing = scheduler.scheduleWithFixedDelay(this::share, 2, 2, TimeUnit.SECONDS);
        }
    }

    @PreDestroy
    void stop() {
        sweeper.cancel(false);
        if (sharing != null) {
            sharing.cancel(false);
        }
    }

    /** Tells the store what this server's clients used and hears what they used on the others. */
    void share() {
        Map<String, long[]> used = budget.drain();
        Instant now = Instant.now();
        long minute = now.getEpochSecond() / 60;
        String day = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
        try {
            Map<String, long[]> others = sql.run(connection -> {
                SharedUse.add(connection, feed.server(), minute, day, used);
                if (++shares % 300 == 0) {
                    SharedUse.forgetOld(connection, minute, day);
                }
                return SharedUse.others(connection, feed.server(), minute, day, budget.clients());
            });
            budget.elsewhere(minute, others);
        } catch (RuntimeException e) {
            budget.undrain(used);
            LOG.log(Level.FINE, "Could not share the clients'' use with the other servers ({0}); trying again shortly", e.getMessage());
        }
    }

    /** Counts a socket of {@code client}; false if it already has as many as allowed (the caller closes with 4429). */
    public boolean connect(String client) {
        boolean allowed = budget.connect(client);
        if (!allowed) {
            LOG.log(Level.INFO, "A client is over chat.limits.connections-per-client ({0}); closing its new socket with 4429", connectionsPerClient);
        }
        return allowed;
    }

    /** A socket that {@link #connect} counted has closed. */
    public void disconnect(String client) {
        budget.disconnect(client);
    }

    /** Takes a turn from {@code client}'s budget; if it is spent, how many seconds until it is not. */
    public OptionalLong startTurn(String client) {
        return budget.startTurn(client);
    }

    /** Counts the {@code usage.total_tokens} of a turn's {@code chat.completion} against {@code client}'s day. */
    public void spend(String client, JsonObject completion) {
        if (completion.get("usage") instanceof JsonObject usage) {
            budget.spend(client, JsonText.count(usage.get("total_tokens")));
        }
    }
}
