package org.tpmauth.tss.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A simulator's command connection that survives the simulator: kept open between commands, dropped
 * when it breaks, reopened by the next command. An idle connection the peer closed (the simulator
 * restarted) is noticed before sending and replaced. A command whose reused connection is reset before
 * any answer byte arrived never reached a live simulator, so it is resent once; a connection closed
 * after the command went out is reported, because the command may have run.
 */
final class TcpSession {
    /** One request/response on the connection, in the transport's framing. */
    interface Exchange {
        byte[] run(TcpLink link, byte[] command) throws IOException;
    }

    private final String host;
    private final int port;
    private final Duration timeout;
    private final String who;
    private final String howToStart;
    private final Consumer<TcpLink> goodbye;
    private final String where;
    private TcpLink link;

    /**
     * Connects now, so a wrong address fails at once.
     *
     * @param who the peer in messages ("swtpm")
     * @param howToStart advice for when nothing listens
     * @param goodbye sends whatever the protocol wants before an orderly close
     */
    TcpSession(String host, int port, Duration timeout, String who, String howToStart, Consumer<TcpLink> goodbye) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.who = who;
        this.howToStart = howToStart;
        this.goodbye = goodbye;
        this.where = who + " at " + host + ":" + port;
        this.link = connect();
    }

    String where() {
        return where;
    }

    private TcpLink connect() {
        return TcpLink.connect(host, port, timeout, who, howToStart);
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
            // a reset, not an end, a timeout or an interrupt, before any answer byte
            boolean neverRan = reused && link.received() == 0 && !(e instanceof EOFException)
                    && !(e instanceof SocketTimeoutException) && !(e instanceof ClosedChannelException);
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
