package org.tpmauth.pkcs11;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import java.util.Optional;

/**
 * The listening socket a service manager hands over, in the two ways systemd does it: the socket
 * activation protocol of sd_listen_fds(3) (LISTEN_PID = this process, LISTEN_FDS = 1, the socket at fd 3;
 * what a plain socket unit, {@code systemd-socket-activate} and {@code systemd-run --user -p ...} do), or
 * the socket on standard input ({@code StandardInput=socket}).
 */
public final class SystemdSocket {
    /** SD_LISTEN_FDS_START: the first passed descriptor. */
    static final int LISTEN_FDS_START = 3;

    private SystemdSocket() {
    }

    /** The part of libc this needs: the JDK only turns descriptor 0 into a channel. */
    private interface LibC extends Library {
        int dup2(int oldfd, int newfd);

        int close(int fd);
    }

    /**
     * The passed listening socket, or empty when none was passed to this process; {@code env} is the
     * process environment. A socket passed with LISTEN_FDS moves to descriptor 0, where
     * {@link System#inheritedChannel()} finds it.
     *
     * @throws IOException when systemd passed something this service cannot serve (several sockets, or
     *                     not a listening stream socket)
     */
    public static Optional<ServerSocketChannel> listener(Map<String, String> env) throws IOException {
        if (passedToThisProcess(env)) {
            LibC libc = Native.load("c", LibC.class);
            if (libc.dup2(LISTEN_FDS_START, 0) < 0) {
                throw new IOException("cannot take over the socket systemd passed at fd " + LISTEN_FDS_START
                        + " (errno " + Native.getLastError() + ")");
            }
            libc.close(LISTEN_FDS_START);
            Channel inherited = System.inheritedChannel();
            if (inherited instanceof ServerSocketChannel listener) {
                return Optional.of(listener);
            }
            throw new IOException("the socket systemd passed is not a listening stream socket; the socket unit "
                    + "needs ListenStream= and Accept=no");
        }
        return System.inheritedChannel() instanceof ServerSocketChannel listener ? Optional.of(listener)
                : Optional.empty();
    }

    /** Whether LISTEN_PID names this process; then LISTEN_FDS must be exactly 1. */
    static boolean passedToThisProcess(Map<String, String> env) throws IOException {
        String pid = env.get("LISTEN_PID");
        if (pid == null || !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            return false; // not set, or meant for a parent that exec'd something else
        }
        String fds = env.getOrDefault("LISTEN_FDS", "");
        if (!fds.equals("1")) {
            throw new IOException("systemd passed LISTEN_FDS=" + fds + " sockets; tpmauth pkcs11 serve takes exactly"
                    + " one: give its socket unit a single ListenStream=");
        }
        return true;
    }
}
