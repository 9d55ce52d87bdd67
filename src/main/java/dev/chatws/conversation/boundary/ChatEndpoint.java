package dev.chatws.conversation.boundary;

import dev.chatws.conversation.control.ChatScope;
import dev.chatws.conversation.control.StoreException;
import dev.chatws.conversation.control.Conversations;
import dev.chatws.conversation.entity.InboundFrame;
import dev.chatws.conversation.entity.OversizedFrame;
import dev.chatws.limits.control.FrameRate;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The chat WebSocket, {@code ws://HOST:PORT/chat[?conversation=ID]}: decodes each frame, hands it
 * to the socket's conversation through {@link Conversations} and lets the conversation answer
 * through this socket's {@link SessionWriter}, through which every close goes too. It owns nothing
 * but its socket.
 *
 * <p>One instance per socket ({@code @Dependent}, so CDI injects it). Callbacks return without
 * waiting on the upstream; opening a socket on a conversation not in memory reads the store.
 */
@Dependent
@ServerEndpoint(value = "/chat", subprotocols = Subprotocols.CHAT_WS, decoders = FrameDecoder.class, encoders = FrameEncoder.class)
public class ChatEndpoint {

    private static final Logger LOG = Logger.getLogger(ChatEndpoint.class.getName());
    private static final CloseReason NOT_FOUND = new CloseReason(CloseCodes.getCloseCode(4404), "conversation not found");
    private static final CloseReason TOO_BIG = new CloseReason(CloseCodes.TOO_BIG, "frame over the size limit");
    private static final CloseReason STORE_DOWN = new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "conversation store unavailable");
    private static final CloseReason BINARY = new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not accepted");

    /** {@code chat.max-frame-bytes} unless configured: 1 MiB. */
    static final long DEFAULT_MAX_FRAME_BYTES = 1_048_576;

    @Inject
    Conversations conversations;

    /**
     * Configuration and the executor are {@link Sockets}'s: this endpoint is created per socket,
     * and a resource or config injection here would be resolved again at every handshake.
     */
    @Inject
    Sockets sockets;

    private String conversationId;
    private SessionWriter writer;
    private FrameRate frames;
    /** Set once the client went over its frame rate: its further frames are ignored until the close. */
    private boolean flooding;

    @OnOpen
    public void open(Session session) throws IOException {
        session.setMaxTextMessageBufferSize(sockets.maxFrameBytes());
        SessionWriter joining = sockets.admit(session, this::tooSlow);
        if (joining == null) {
            return;
        }
        List<String> requested = session.getRequestParameterMap().get("conversation");
        try {
            if (requested == null || requested.isEmpty()) {
                conversationId = conversations.open(joining);
            } else if (conversations.reattach(requested.get(0), joining)) {
                conversationId = requested.get(0);
            } else {
                LOG.info("A socket asked for an unknown conversation; closing it with 4404");
                joining.close(NOT_FOUND);
                return;
            }
        } catch (StoreException e) {
            LOG.warning(() -> "A socket could not be attached; closing it with 1011. " + e.getMessage());
            joining.close(STORE_DOWN);
            return;
        } finally {
            if (conversationId == null) {
                sockets.closed(joining, false);
            }
        }
        writer = joining;
        frames = sockets.frameRate();
        sockets.attached(writer);
    }

    @OnMessage
    public void text(InboundFrame frame, Session session) throws IOException {
        if (frame instanceof OversizedFrame) {
            LOG.info(() -> ChatScope.redact(conversationId) + ": frame over chat.max-frame-bytes; closing the socket with 1009");
            close(session, TOO_BIG);
        } else if (writer != null && !flooding) {
            if (!frames.admit()) {
                flooding = true;
                sockets.tooFast(conversationId, writer);
                return;
            }
            writer.liveness().heard(System.nanoTime());
            conversations.receive(conversationId, writer, frame);
        }
    }

    @OnMessage
    public void binary(ByteBuffer frame, Session session) throws IOException {
        LOG.info(() -> ChatScope.redact(conversationId) + ": binary frame received; closing the socket with 1003");
        close(session, BINARY);
    }

    /** Closes the socket through its writer, so that the close never overlaps a send; directly before it has one. */
    private void close(Session session, CloseReason reason) throws IOException {
        if (writer != null) {
            writer.close(reason);
        } else {
            session.close(reason);
        }
    }

    @OnMessage
    public void pong(PongMessage pong) {
        if (writer != null) {
            writer.liveness().ponged();
        }
    }

    @OnClose
    public void close(Session session) {
        if (writer == null) {
            return;
        }
        sockets.closed(writer, true);
        writer.rejections().remaining().ifPresent(line -> LOG.info(() -> ChatScope.redact(conversationId) + ": " + line));
        try {
            conversations.detach(conversationId, writer);
        } catch (IllegalStateException | ContextNotActiveException e) {
            LOG.fine(() -> "Socket closed after the application stopped: " + e.getClass().getName());
        }
    }

    /** The client fell too far behind: it leaves its conversation and is closed with 1008. */
    private void tooSlow(SessionWriter behind) {
        sockets.tooSlow(conversationId, behind);
    }

    @OnError
    public void error(Session session, Throwable error) {
        LOG.log(Level.FINE, "Socket {0} of {1}: {2}", new Object[] {session.getId(), ChatScope.redact(conversationId), error.getClass().getName()});
    }
}
