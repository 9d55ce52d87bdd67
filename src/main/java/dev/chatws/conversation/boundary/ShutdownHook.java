package dev.chatws.conversation.boundary;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The application's "the server is stopping" operation, as the MBean
 * {@code dev.chatws:type=Shutdown,context=…}: {@link #goAway()} ends every turn in flight as
 * cancelled (PROTOCOL §4, terminal frame sent) and closes every socket with 1001 (§6), waiting up
 * to {@value #GOING_AWAY_SECONDS} s. On Open Liberty the bell {@code dev.chatws.liberty.QuiesceBell}
 * calls it when {@code server stop} begins, while the connections are still open (an application's
 * own shutdown comes too late there); {@link HandshakeFilter#destroy()} does the same when only the
 * application stops. On other servers nothing calls it and it costs nothing.
 *
 * <p>Application-scoped; registered at start, unregistered at stop; thread-safe.
 */
@ApplicationScoped
public class ShutdownHook {

    private static final Logger LOG = Logger.getLogger(ShutdownHook.class.getName());
    static final int GOING_AWAY_SECONDS = 5;

    /** What the MBean offers. */
    public interface ShutdownMXBean {
        /** Ends the turns in flight and closes every socket with 1001. */
        void goAway();
    }

    @Inject
    Sockets sockets;

    private ObjectName name;

    void register(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        ShutdownMXBean operation = () -> {
            Thread thread = Thread.currentThread();
            ClassLoader caller = thread.getContextClassLoader();
            thread.setContextClassLoader(application);
            try {
                LOG.info("The server is stopping: ending the turns in flight and closing every socket with 1001");
                sockets.goAwayAll(Duration.ofSeconds(GOING_AWAY_SECONDS));
            } catch (InterruptedException e) {
                thread.interrupt();
            } finally {
                thread.setContextClassLoader(caller);
            }
        };
        try {
            name = new ObjectName("dev.chatws:type=Shutdown,context=" + ObjectName.quote(context.getContextPath().isEmpty() ? "/" : context.getContextPath()));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new javax.management.StandardMBean(operation, ShutdownMXBean.class, true), name);
        } catch (JMException | RuntimeException e) {
            name = null;
            LOG.log(Level.FINE, "No shutdown MBean: {0}", e.getClass().getName());
        }
    }

    @PreDestroy
    void unregister() {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException | RuntimeException e) {
                LOG.log(Level.FINE, "Could not unregister the shutdown MBean: {0}", e.getClass().getName());
            }
        }
    }
}
