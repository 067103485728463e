package org.tpmauth.tss;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.resources.ResourceManager;
import org.tpmauth.tss.sessions.AuthCommand;
import org.tpmauth.tss.sessions.AuthResponse;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.tss.commands.Startup;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmSu;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * The TPM facade: runs typed commands one at a time for any number of threads, adds the
 * authorization sessions, retries the TPM's transient warnings with a bound, and turns error codes
 * into {@link TpmResponseException}s with a readable message. {@link #open} puts a
 * {@link ResourceManager} in front of the transport, so any number of keys and sessions stay loaded.
 */
public final class Tpm implements AutoCloseable {
    /** How often TPM_RC_RETRY / YIELDED / TESTING is retried before giving up. */
    static final int MAX_RETRIES = 20;
    private static final int HEADER = 10;

    private final Tcti tcti;
    /** What commands go through: the transport, or a resource manager in front of it. */
    private final Tcti channel;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final TimedExchange timed;

    /** A Tpm sending commands straight to the transport (the TPM's few slots are the limit). */
    public Tpm(Tcti tcti) {
        this(tcti, false);
    }

    /**
     * @param manageResources whether a {@link ResourceManager} virtualizes transient objects and
     *                        sessions, so any number stay loaded; closing flushes them
     */
    public Tpm(Tcti tcti, boolean manageResources) {
        this.tcti = tcti;
        this.channel = manageResources ? new ResourceManager(tcti) : tcti;
        this.timed = new TimedExchange(channel);
    }

    /**
     * Opens the TPM named by a TCTI config string, or the default one when {@code config} is null,
     * with resource management.
     */
    public static Tpm open(String config) {
        return new Tpm(TctiConfig.resolve(config).open(), true);
    }

    public Tcti tcti() {
        return tcti;
    }

    /**
     * Runs a command. Each handle that needs authorization takes the next session given; missing
     * sessions default to the empty password.
     */
    public <R> R execute(TpmCommand<R> command, Session... sessions) {
        return execute(command, null, sessions);
    }

    /**
     * Runs a command, giving up after {@code timeout} (waiting for earlier commands included) with a
     * {@link TpmTimeoutException}. The TPM still completes it; its answer is discarded, and an object
     * or session it created is flushed.
     */
    public <R> R execute(TpmCommand<R> command, Duration timeout, Session... sessions) {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        int authCount = command.authHandleCount();
        List<Session> used = new ArrayList<>(List.of(sessions));
        while (used.size() < authCount) {
            used.add(PasswordSession.EMPTY);
        }
        byte[] parameters = TpmWriter.marshal(command::marshalParameters);
        timed.lock(lock, command, deadline);
        try {
            boolean startedUp = false;
            for (int attempt = 0; ; attempt++) {
                byte[] request = buildCommand(command, used, parameters);
                byte[] response = timed.transmit(request, command, deadline);
                int rc = responseCode(command, response);
                if (isTransient(rc) && attempt < MAX_RETRIES) {
                    backoff(rc, attempt);
                    continue;
                }
                if (TpmRc.base(rc) == TpmRc.INITIALIZE && !startedUp && command.commandCode() != TpmCc.Startup) {
                    // a TPM that was (re)started without TPM2_Startup, e.g. swtpm without startup-clear
                    startup();
                    startedUp = true;
                    continue;
                }
                if (rc != TpmRc.SUCCESS) {
                    throw new TpmResponseException(command.commandCode(), rc);
                }
                return readResponse(command, used, response);
            }
        } finally {
            lock.unlock();
        }
    }

    private void startup() {
        Startup startup = new Startup(TpmSu.CLEAR);
        byte[] response = channel.transmit(buildCommand(startup, List.of(), TpmWriter.marshal(startup::marshalParameters)));
        int rc = responseCode(startup, response);
        if (rc != TpmRc.SUCCESS && TpmRc.base(rc) != TpmRc.INITIALIZE) {
            throw new TpmResponseException(TpmCc.Startup, rc);
        }
    }

    private static boolean isTransient(int rc) {
        int base = TpmRc.base(rc); // a resource manager relays warnings with its layer set
        return base == TpmRc.RETRY || base == TpmRc.YIELDED || base == TpmRc.TESTING;
    }

    private static void backoff(int rc, int attempt) {
        if (TpmRc.base(rc) == TpmRc.RETRY) {
            return; // the TPM asks for an immediate resend
        }
        try {
            Thread.sleep(Math.min(50, 1L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TpmException("interrupted while the TPM was busy");
        }
    }

    private static byte[] buildCommand(TpmCommand<?> command, List<Session> sessions, byte[] parameters) {
        TpmWriter handles = new TpmWriter();
        command.handles().forEach(handles::u32);
        TpmWriter auth = new TpmWriter();
        if (!sessions.isEmpty()) {
            Session.CommandContext ctx = new Session.CommandContext(command.commandCode(), command.handles(),
                    parameters);
            for (Session s : sessions) {
                AuthCommand a = s.authorize(ctx);
                a.marshal(auth);
            }
        }
        TpmWriter out = new TpmWriter();
        boolean withSessions = !sessions.isEmpty();
        int size = HEADER + handles.size() + (withSessions ? 4 + auth.size() : 0) + parameters.length;
        out.u16(withSessions ? TpmSt.SESSIONS : TpmSt.NO_SESSIONS).u32(size).u32(command.commandCode());
        out.bytes(handles.toByteArray());
        if (withSessions) {
            out.u32(auth.size()).bytes(auth.toByteArray());
        }
        out.bytes(parameters);
        return out.toByteArray();
    }

    private static int responseCode(TpmCommand<?> command, byte[] response) {
        TpmReader in = new TpmReader(response).enter("response header");
        int tag = in.u16();
        int size = in.u32();
        int rc = in.u32();
        if (size != response.length) {
            throw new TpmFormatException("response header", 2, "declared size " + size + " but "
                    + response.length + " bytes arrived for " + TpmCc.nameOf(command.commandCode()));
        }
        if (tag != TpmSt.SESSIONS && tag != TpmSt.NO_SESSIONS && !(tag == TpmSt.RSP_COMMAND && rc != 0)) {
            throw new TpmFormatException("response header", 0, String.format("unknown tag 0x%04x", tag));
        }
        return rc;
    }

    private static <R> R readResponse(TpmCommand<R> command, List<Session> sessions, byte[] response) {
        TpmReader in = new TpmReader(response, HEADER, response.length - HEADER);
        int tag = ((response[0] & 0xff) << 8) | (response[1] & 0xff);
        in.enter(TpmCc.nameOf(command.commandCode()) + " response");
        int[] handles = new int[command.responseHandleCount()];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = in.u32();
        }
        int paramStart;
        int paramSize;
        if (tag == TpmSt.SESSIONS) {
            paramSize = in.u32();
            paramStart = in.position();
            if (paramSize < 0 || paramSize > in.remaining()) {
                throw in.error("parameterSize " + Integer.toUnsignedString(paramSize) + " exceeds the response");
            }
        } else {
            paramStart = in.position();
            paramSize = in.remaining();
        }
        byte[] parameters = java.util.Arrays.copyOfRange(response, paramStart, paramStart + paramSize);
        if (tag == TpmSt.SESSIONS) {
            TpmReader auths = new TpmReader(response, paramStart + paramSize,
                    response.length - paramStart - paramSize).enter("response sessions");
            Session.ResponseContext ctx = new Session.ResponseContext(command.commandCode(), 0, parameters);
            for (Session s : sessions) {
                s.verify(AuthResponse.read(auths), ctx);
            }
            auths.expectEnd();
        } else if (!sessions.isEmpty()) {
            throw in.error("the TPM returned no session area for a command sent with sessions");
        }
        TpmReader params = new TpmReader(parameters).enter(in.structure());
        R result = command.readResponse(handles, params);
        params.expectEnd();
        return result;
    }

    /** Closes the transport, after flushing what the resource manager (if any) holds. */
    @Override
    public void close() {
        lock.lock();
        try {
            timed.close();
            channel.close();
        } finally {
            lock.unlock();
        }
    }
}
