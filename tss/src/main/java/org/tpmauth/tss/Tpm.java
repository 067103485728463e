package org.tpmauth.tss;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.resources.ResourceManager;
import org.tpmauth.tss.sessions.AuthCommand;
import org.tpmauth.tss.sessions.AuthResponse;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PreparedSalts;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.tss.commands.Startup;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmSu;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * The TPM facade: runs typed commands one at a time for any number of threads, adds the
 * authorization sessions, retries the TPM's transient warnings with a bound, and turns error codes
 * into {@link TpmResponseException}s with a readable message. {@link #open} puts a
 * {@link ResourceManager} in front of the transport, so any number of keys and sessions stay loaded.
 *
 * <p>Secure sessions are on by default: a command that carries a secret (a non-empty password
 * authorizing a handle, or secret parameters, see {@link TpmCommand#carriesSecret}) runs through a
 * salted HMAC session with AES-CFB parameter encryption, so that neither the password nor the secret
 * crosses the bus in clear and a tampered response is rejected ({@link TpmIntegrityException}).
 */
public final class Tpm implements AutoCloseable {
    /** How often TPM_RC_RETRY / YIELDED / TESTING is retried before giving up. */
    static final int MAX_RETRIES = 20;
    private static final int HEADER = 10;
    private static final byte[] NO_BYTES = new byte[0];

    private final Tcti tcti;
    /** What commands go through: the transport, or a resource manager in front of it. */
    private final Tcti channel;
    /** Whose command runs: one at a time, fairly, preferring commands whose objects are loaded. */
    private final CommandQueue queue;
    /** Names of loaded and persistent objects, for cpHash; dropped when the handle changes hands. */
    private final Map<Integer, byte[]> names = new HashMap<>();
    /** Public areas read for {@link #publicOf}, dropped with the names. */
    private final Map<Integer, TpmtPublic> publics = new HashMap<>();
    private final SecureSessions secure = new SecureSessions(this);
    /**
     * {@link #run}, made once. The per-command path avoids capturing lambdas: TLS signatures (one per
     * handshake) run it as profiled (C1) code for thousands of commands, where each such lambda's object
     * is made through the method handle runtime (a call into the VM) instead of a plain allocation.
     */
    private final SecureSessions.Runner raw = this::run;
    private volatile boolean secureSessions = true;
    /** Salts made ahead of time for salted session starts; empty: each start makes its own. */
    private final AtomicReference<PreparedSalts> preparedSalts = new AtomicReference<>();
    private final TimedExchange timed;
    /** The deadline (System.nanoTime) of the command running now, 0 for none; guarded by the queue. */
    private long deadline;

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
        this.queue = new CommandQueue(channel instanceof ResourceManager rm ? handle -> rm.isLoaded(handle) : handle -> true);
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

    /** The resource manager in front of the transport, if this Tpm has one. */
    public Optional<ResourceManager> resourceManager() {
        return channel instanceof ResourceManager rm ? Optional.of(rm) : Optional.empty();
    }

    /**
     * Turns the default secure sessions on or off. Off sends passwords and secret parameters in clear:
     * meant for measurements only.
     */
    public void setSecureSessions(boolean on) {
        queue.acquire();
        try {
            secureSessions = on;
            if (!on) {
                secure.close();
            }
        } finally {
            queue.release();
        }
    }

    public boolean secureSessions() {
        return secureSessions;
    }

    /**
     * For a program that keeps this Tpm open and starts salted sessions now and then (a resident service): from
     * now on each salted session start takes its salt from {@code salts}, made ahead of time on a background
     * thread, which takes the caller's ECDH (or RSA encryption) off the start; {@code new PreparedSalts()}. Not
     * worth it for a program that starts one session and exits. Closing this Tpm closes {@code salts}; a second
     * call closes the salts the first one gave.
     */
    public void prepareSalts(PreparedSalts salts) {
        PreparedSalts before = preparedSalts.getAndSet(salts);
        if (before != null && before != salts) {
            before.close();
        }
    }

    /** The salts prepared for this Tpm's salted sessions, when {@link #prepareSalts} asked for them. */
    public Optional<PreparedSalts> preparedSalts() {
        return Optional.ofNullable(preparedSalts.get());
    }

    /**
     * Runs a command. Each handle that needs authorization takes the next session given; missing
     * sessions default to the empty password. Sessions beyond the authorized handles only encrypt
     * parameters (or audit).
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
        long deadlineNanos = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        List<Session> used = withDefaults(sessions, command.authHandleCount());
        timed.lock(queue, command, deadlineNanos);
        long outer = deadline;
        deadline = deadlineNanos;
        try {
            return secureSessions ? secure.execute(command, used, raw) : run(command, used);
        } finally {
            deadline = outer;
            queue.release();
        }
    }

    /** The sessions given, then the empty password for each authorized handle left. */
    private static List<Session> withDefaults(Session[] sessions, int authCount) {
        if (sessions.length >= authCount) {
            return List.of(sessions);
        }
        Session[] used = Arrays.copyOf(sessions, authCount);
        Arrays.fill(used, sessions.length, authCount, PasswordSession.EMPTY);
        return List.of(used);
    }

    /**
     * The Name of a handle as cpHash uses it: from ReadPublic for a loaded or persistent object
     * (cached; empty for a sequence object), from NV_ReadPublic for an NV index, the handle itself for
     * anything else.
     */
    public byte[] nameOf(int handle) {
        queue.acquire();
        try {
            switch (TpmHandles.type(handle)) {
                case TpmHandles.HT_TRANSIENT, TpmHandles.HT_PERSISTENT -> {
                    byte[] name = names.get(handle);
                    if (name == null) {
                        try {
                            name = readPublic(handle).name();
                        } catch (TpmResponseException e) {
                            // a hash or HMAC sequence has no public area and an empty Name; a
                            // missing handle is better reported by the command itself
                            return new byte[0];
                        }
                    }
                    return name.clone();
                }
                case TpmHandles.HT_NV_INDEX -> {
                    return run(new NvReadPublic(handle), List.of()).nvName(); // changes when first written
                }
                default -> {
                    return TpmWriter.marshal(out -> out.u32(handle));
                }
            }
        } finally {
            queue.release();
        }
    }

    /**
     * The public area of a loaded or persistent object (TPM2_ReadPublic), kept until the handle is flushed,
     * evicted or handed out again: e.g. a salt key's, read once for any number of sessions.
     */
    public TpmtPublic publicOf(int handle) {
        queue.acquire();
        try {
            TpmtPublic kept = publics.get(handle);
            return kept != null ? kept : readPublic(handle).outPublic();
        } finally {
            queue.release();
        }
    }

    private ReadPublic.Response readPublic(int handle) {
        ReadPublic.Response r = run(new ReadPublic(handle), List.of());
        names.put(handle, r.name());
        publics.put(handle, r.outPublic());
        return r;
    }

    private void forget(int handle) {
        names.remove(handle);
        publics.remove(handle);
    }

    private <R> R run(TpmCommand<R> command, List<Session> used) {
        TpmWriter marshalled = new TpmWriter();
        command.marshalParameters(marshalled);
        byte[] parameters = marshalled.toByteArray();
        List<byte[]> handleNames = needNames(used) ? command.handles().stream().map(this::nameOf).toList() : List.of();
        boolean startedUp = false;
        for (int attempt = 0; ; attempt++) {
            byte[] request = buildCommand(command, used, handleNames, parameters);
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
            R result = readResponse(command, used, response);
            forgetNames(command);
            byte[] created = command.createdName(result);
            if (created != null) {
                names.put(TpmReader.u32At(response, HEADER), created);
            }
            return result;
        }
    }

    private static boolean needNames(List<Session> sessions) {
        for (Session s : sessions) { // a loop, not a stream: this runs per command
            if (s.needsNames()) {
                return true;
            }
        }
        return false;
    }

    private void forgetNames(TpmCommand<?> command) {
        if (command instanceof FlushContext f) {
            forget(f.flushHandle());
        } else if (command instanceof EvictControl e) {
            forget(e.persistentHandle());
        }
    }

    private void startup() {
        Startup startup = new Startup(TpmSu.CLEAR);
        byte[] response = channel.transmit(buildCommand(startup, List.of(), List.of(),
                TpmWriter.marshal(startup::marshalParameters)));
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

    /** nonceTPMdecrypt || nonceTPMencrypt of the sessions after the first that encrypt parameters. */
    private static byte[] encryptionNonces(List<Session> sessions) {
        if (sessions.size() < 2) {
            return NO_BYTES;
        }
        TpmWriter nonces = new TpmWriter();
        int decryptor = -1;
        for (int i = 1; i < sessions.size() && decryptor < 0; i++) {
            byte[] n = sessions.get(i).parameterEncryptionNonce(TpmaSession.DECRYPT);
            if (n.length > 0) {
                nonces.bytes(n);
                decryptor = i;
            }
        }
        for (int i = 1; i < sessions.size(); i++) {
            byte[] n = sessions.get(i).parameterEncryptionNonce(TpmaSession.ENCRYPT);
            if (n.length > 0) {
                if (i != decryptor) {
                    nonces.bytes(n);
                }
                break;
            }
        }
        return nonces.toByteArray();
    }

    private static byte[] buildCommand(TpmCommand<?> command, List<Session> sessions, List<byte[]> names,
            byte[] plainParameters) {
        List<Integer> handles = command.handles();
        TpmWriter auth = new TpmWriter();
        byte[] parameters = plainParameters;
        if (!sessions.isEmpty()) {
            List<Session.CommandContext> contexts = new ArrayList<>();
            for (int i = 0; i < sessions.size(); i++) {
                contexts.add(new Session.CommandContext(command.commandCode(), command.handles(), names,
                        plainParameters, i < command.authHandleCount() ? i : -1, command.encryptableParameters(),
                        NO_BYTES));
            }
            for (int i = 0; i < sessions.size(); i++) { // every nonce first, then the HMACs over the final bytes
                parameters = sessions.get(i).prepare(contexts.get(i).withParameters(parameters));
            }
            contexts.set(0, contexts.get(0).withEncryptionNonces(encryptionNonces(sessions)));
            for (int i = 0; i < sessions.size(); i++) {
                AuthCommand a = sessions.get(i).authorize(contexts.get(i).withParameters(parameters));
                a.marshal(auth);
            }
        }
        boolean withSessions = !sessions.isEmpty();
        int size = HEADER + 4 * handles.size() + (withSessions ? 4 + auth.size() : 0) + parameters.length;
        TpmWriter out = new TpmWriter(size);
        out.u16(withSessions ? TpmSt.SESSIONS : TpmSt.NO_SESSIONS).u32(size).u32(command.commandCode());
        for (int handle : handles) { // a loop, not forEach(out::u32): see raw
            out.u32(handle);
        }
        if (withSessions) {
            out.u32(auth.size()).bytes(auth);
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

    private <R> R readResponse(TpmCommand<R> command, List<Session> sessions, byte[] response) {
        TpmReader in = new TpmReader(response, HEADER, response.length - HEADER);
        int tag = ((response[0] & 0xff) << 8) | (response[1] & 0xff);
        in.enter(TpmCc.responseNameOf(command.commandCode()));
        int[] handles = new int[command.responseHandleCount()];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = in.u32();
            forget(handles[i]); // a new object at this handle
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
        byte[] parameters = Arrays.copyOfRange(response, paramStart, paramStart + paramSize);
        if (tag == TpmSt.SESSIONS) {
            TpmReader auths = new TpmReader(response, paramStart + paramSize,
                    response.length - paramStart - paramSize).enter("response sessions");
            Session.ResponseContext ctx = new Session.ResponseContext(command.commandCode(), 0, parameters);
            for (Session s : sessions) {
                s.verify(AuthResponse.read(auths), ctx);
            }
            auths.expectEnd();
            for (Session s : sessions) {
                ctx = ctx.withParameters(s.decryptResponse(ctx));
            }
            parameters = ctx.parameters();
        } else if (!sessions.isEmpty()) {
            throw in.error("the TPM returned no session area for a command sent with sessions");
        }
        TpmReader params = new TpmReader(parameters).enter(in.structure());
        R result = command.readResponse(handles, params);
        params.expectEnd();
        return result;
    }

    /**
     * Flushes the default secure session and what the resource manager (if any) holds, then closes
     * the transport.
     */
    @Override
    public void close() {
        queue.acquire();
        try {
            secure.close();
            timed.close();
            channel.close();
        } finally {
            queue.release();
            preparedSalts().ifPresent(PreparedSalts::close);
        }
    }
}
