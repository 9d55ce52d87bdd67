package dev.chatws.liberty;

import com.ibm.wsspi.kernel.service.utils.ServerQuiesceListener;
import java.lang.management.ManagementFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Tells every chat-ws application of an Open Liberty server that the server is stopping, early
 * enough to close its sockets properly. On {@code server stop} Liberty first quiesces, calling
 * every {@code ServerQuiesceListener} at once on threads of its own, and only then stops
 * applications; by the time an application's own shutdown runs, its WebSocket connections are
 * already gone and clients see 1006. This listener, registered through a Liberty "bell"
 * ({@code liberty/config/chat-ws.xml}), is that early hook. (The channel framework's own
 * listener, which stops the HTTP chains, runs at the same moment but waits for open connections;
 * turning it off with {@code <channelfw chainQuiesceTimeout="0"/>} made matters worse: measured,
 * ServerStopIT under load.)
 *
 * <p>It knows nothing of the applications' classes: each chat-ws application registers an MBean
 * {@code dev.chatws:type=Shutdown,…} ({@code dev.chatws.conversation.boundary.ShutdownHook}), and
 * this calls its {@code goAway} operation, which ends the turns in flight as cancelled and closes
 * every socket with 1001, waiting up to a few seconds. Packaged on its own
 * ({@code target/chat-ws-quiesce-bell.jar}), never in the WAR. Stateless; Liberty calls it once,
 * on a thread of its own.
 */
public final class QuiesceBell implements ServerQuiesceListener {

    private static final Logger LOG = Logger.getLogger(QuiesceBell.class.getName());

    @Override
    public void serverStopping() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName application : server.queryNames(new ObjectName("dev.chatws:type=Shutdown,*"), null)) {
                try {
                    server.invoke(application, "goAway", new Object[0], new String[0]);
                } catch (JMException | RuntimeException e) {
                    LOG.log(Level.WARNING, "chat-ws application {0} could not close its sockets: {1}",
                            new Object[] {application.getKeyProperty("context"), e.getClass().getName()});
                }
            }
        } catch (JMException e) {
            LOG.log(Level.WARNING, "Could not look up the chat-ws applications: {0}", e.getClass().getName());
        }
    }
}
