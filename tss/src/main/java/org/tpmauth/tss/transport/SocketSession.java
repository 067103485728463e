package org.tpmauth.tss.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A simulator's command connection that survives the simulator: kept open between commands, dropped
 * when it breaks, reopened by the next command. A command goes to a new connection, once, only when the
 * reused one provably never delivered it to a live simulator (see {@link #neverDelivered}): an idle TCP
 * connection the peer closed (the simulator restarted) is noticed before sending and replaced; on a
 * UNIX socket the same shows as a write that fails. A connection that ends in order after the command
 * went out is reported, because the command may have run: sending it again could run it twice.
 */
final class SocketSession {
    /** One request/response on the connection, in the transport's framing. */
    interface Exchange {
        byte[] run(SocketLink link, byte[] command) throws IOException;
    }

    private final SocketEndpoint endpoint;
    private final Duration timeout;
    private final String who;
    private final String howToStart;
    private final Consumer<SocketLink> goodbye;
    private final String where;
    private SocketLink link;

    /**
     * Connects now, so a wrong address fails at once.
     *
     * @param who the peer in messages ("swtpm")
     * @param howToStart advice for when nothing listens
     * @param goodbye sends whatever the protocol wants before an orderly close
     */
    SocketSession(SocketEndpoint endpoint, Duration timeout, String who, String howToStart,
            Consumer<SocketLink> goodbye) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.who = who;
        this.howToStart = howToStart;
        this.goodbye = goodbye;
        this.where = who + " at " + endpoint;
        this.link = connect();
    }

    String where() {
        return where;
    }

    private SocketLink connect() {
        return SocketLink.connect(endpoint, timeout, who, howToStart);
    }

    synchronized byte[] transmit(byte[] command, Exchange exchange) {
        boolean reused = link != null;
        if (reused && link.isDeadWhileIdle()) {
            drop();
            reused = false;
        }
        if (link == null) {
            link = connect();
        }
        try {
            return run(exchange, command);
        } catch (IOException e) {
            boolean neverRan = reused && neverDelivered(e);
            drop();
            if (!neverRan) {
                throw broken(command, e);
            }
        }
        try {
            link = connect();
        } catch (TpmTransportException unreachable) {
            throw new TpmTransportException(where() + " closed the connection during " + TpmFrames.commandName(command)
                    + ", and reconnecting "
                    + "failed: " + unreachable.getMessage(), unreachable);
        }
        try {
            return run(exchange, command);
        } catch (IOException e) {
            drop();
            throw broken(command, e);
        }
    }

    /**
     * Whether the failed exchange on the reused link cannot have reached a live simulator: an error
     * (not an orderly end) before any answer byte. That is either
     * <ul>
     * <li>a failed write: on a UNIX socket the kernel refuses it (EPIPE), before queuing anything, once the
     *     peer socket is closed, which is how a simulator that went away while the connection was idle
     *     shows there; nothing reached a reader, and an earlier command cannot be pending because its
     *     answer was read;
     * <li>or a reset: the peer socket was closed with the command unread (TCP: a simulator that read the
     *     whole command and then died leaves nothing unread, which ends the connection in order, an EOF).
     * </ul>
     * Never after a timeout or an interrupt (ClosedChannelException: the channel was closed under the
     * exchange, whatever the simulator did), and never after an orderly end.
     */
    private boolean neverDelivered(IOException e) {
        return link.received() == 0 && !(e instanceof EOFException) && !(e instanceof SocketTimeoutException)
                && !(e instanceof ClosedChannelException);
    }

    private byte[] run(Exchange exchange, byte[] command) throws IOException {
        try {
            byte[] response = exchange.run(link, command);
            link.finished();
            return response;
        } catch (TpmTransportException e) {
            drop(); // the stream is out of step; the next command starts on a fresh connection
            throw e;
        }
    }

    private TpmTransportException broken(byte[] command, IOException e) {
        String name = TpmFrames.commandName(command);
        if (e instanceof SocketTimeoutException) {
            return new TpmTransportException(where() + " did not answer " + name + " within " + timeout.toSeconds()
                    + " s; the connection was dropped and the next command opens a new one", e);
        }
        return new TpmTransportException(where() + " closed the connection during " + name + " (" + e.getMessage()
                + "): is " + who + " still running? The command may not have completed; the next command "
                + "reconnects.", e);
    }

    private void drop() {
        if (link != null) {
            link.close();
            link = null;
        }
    }

    /** Closes the connection in order (the next command reconnects). */
    synchronized void disconnect() {
        if (link != null) {
            goodbye.accept(link);
            drop();
        }
    }
}
