package org.tpmauth.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.tpmauth.pkcs11.RpcMessage.AttributeQuery;
import org.tpmauth.pkcs11.RpcMessage.ByteArray;
import org.tpmauth.pkcs11.RpcMessage.Capacity;
import org.tpmauth.pkcs11.RpcMessage.UlongArray;

/**
 * Runs the calls programs make, before they come, as a program of this process connected to the server's
 * own socket: request frames cross the socket, are read, parsed, answered by the connection's PKCS#11
 * application on the token, encoded and written back exactly as for any program, so the socket reads and
 * writes are compiled too. A JVM interprets a method for its first few hundred calls
 * and compiles it fully only after thousands, and a program makes a handful of calls per connection (six
 * per IKE_SA for strongSwan), so without this the token would serve its first programs from interpreted
 * code: several hundred microseconds of CPU per call instead of tens.
 *
 * <p>Signatures are real ones, on a throwaway digest, with each key a program may use without logging in,
 * up to a count and a time budget (a hardware TPM takes tens of milliseconds per signature; the budget
 * keeps the start short there, where the JVM's part hardly matters). The budget is the TPM's time: each
 * signature counts as long as the fastest one so far, because the first ones run interpreted and load
 * classes, and a busy machine stalls some, which would otherwise spend the budget on a handful of
 * signatures and leave the sign path to be compiled during programs' calls; the signatures' own time is
 * capped at {@value #WALL_CAP_FACTOR} times the budget. A token that needs a login is warmed without
 * signatures: no PIN is used here, and no wrong one is ever counted.
 */
public final class WarmUp {
    /** What the warm-up did. */
    public record Result(int rounds, int calls, int signatures, Duration took) {
    }

    /** Sends one request frame over a connection to the server and reads its response frame. */
    @FunctionalInterface
    interface Exchange {
        RpcFrame send(RpcFrame request) throws IOException, RpcFormatException;
    }

    /** Thrown when a call does not succeed as a program's would: the warm-up stops there. */
    static final class Stopped extends Exception {
        Stopped(String message) {
            super(message);
        }
    }

    /** The signatures' own time stops them at this many budgets, however fast the fastest one was. */
    static final int WALL_CAP_FACTOR = 10;
    private static final byte[] OPTIONS = "tpmauth-warm-up".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST = new byte[32];
    /** What wpa_supplicant (libp11), pkcs11-tool and strongSwan read of keys and certificates. */
    private static final long[] ATTRIBUTES = {Pkcs11.CKA_CLASS, Pkcs11.CKA_KEY_TYPE, Pkcs11.CKA_ID, Pkcs11.CKA_LABEL,
        Pkcs11.CKA_SENSITIVE, Pkcs11.CKA_ALWAYS_AUTHENTICATE, Pkcs11.CKA_EC_PARAMS, Pkcs11.CKA_EC_POINT,
        Pkcs11.CKA_MODULUS, Pkcs11.CKA_PUBLIC_EXPONENT, Pkcs11.CKA_VALUE, Pkcs11.CKA_SUBJECT};

    private final Token token;
    private final Exchange exchange;
    private final int maxSignatures;
    private final int signaturesPerKeyAndRound;
    /** The TPM time the signatures may take: their own calls' time, not the rounds' other calls. */
    private final long signingBudgetNanos;
    private long signingNanos;
    private long fastestSignatureNanos = Long.MAX_VALUE;
    private long code = 1;
    private int calls;
    private int signatures;

    private WarmUp(Token token, Exchange exchange, int rounds, int maxSignatures, Duration signingBudget) {
        this.token = token;
        this.exchange = exchange;
        this.maxSignatures = maxSignatures;
        this.signaturesPerKeyAndRound = Math.max(1, (maxSignatures + rounds - 1) / Math.max(1, rounds));
        this.signingBudgetNanos = signingBudget.toNanos();
    }

    /**
     * {@code rounds} rounds of a program's calls (slot, token and mechanism information, a session, an
     * object search, attribute reads, and per key a session with C_SignInit, a size query and, while
     * {@code maxSignatures} and {@code signingBudget} allow, the signature, spread evenly over the rounds),
     * while {@code serving} holds: a server closed meanwhile ends it after the round.
     */
    static Result run(Token token, Exchange exchange, BooleanSupplier serving, int rounds, int maxSignatures,
            Duration signingBudget) throws Stopped {
        long start = System.nanoTime();
        WarmUp w = new WarmUp(token, exchange, rounds, maxSignatures, signingBudget);
        int round = 0;
        w.call(RpcCall.C_INITIALIZE, ByteArray.of(Application.HANDSHAKE), 0, ByteArray.of(new byte[1]));
        for (; round < rounds && serving.getAsBoolean(); round++) {
            w.round(round);
        }
        w.call(RpcCall.C_FINALIZE);
        return new Result(round, w.calls, w.signatures, Duration.ofNanos(System.nanoTime() - start));
    }

    /** One program's calls. */
    private void round(int round) throws Stopped {
        call(RpcCall.C_GET_INFO);
        call(RpcCall.C_GET_SLOT_LIST, 1, new Capacity(0));
        call(RpcCall.C_GET_SLOT_LIST, 1, new Capacity(8));
        call(RpcCall.C_GET_SLOT_INFO, Token.SLOT_ID);
        call(RpcCall.C_GET_TOKEN_INFO, Token.SLOT_ID);
        call(RpcCall.C_GET_MECHANISM_LIST, Token.SLOT_ID, new Capacity(0));
        long[] mechanisms = ulongs(call(RpcCall.C_GET_MECHANISM_LIST, Token.SLOT_ID, new Capacity(64)));
        call(RpcCall.C_GET_MECHANISM_INFO, Token.SLOT_ID, mechanisms[round % mechanisms.length]);
        long session = openSession();
        call(RpcCall.C_FIND_OBJECTS_INIT, session, List.of());
        long[] handles = ulongs(call(RpcCall.C_FIND_OBJECTS, session, new Capacity(64)));
        call(RpcCall.C_FIND_OBJECTS_FINAL, session);
        for (long handle : handles) {
            call(RpcCall.C_GET_ATTRIBUTE_VALUE, session, handle, queries(0));
            call(RpcCall.C_GET_ATTRIBUTE_VALUE, session, handle, queries(4096));
        }
        call(RpcCall.C_CLOSE_SESSION, session);
        for (long handle : handles) {
            TokenObject key = token.object(handle).orElseThrow();
            if (key.isPrivateKey()) {
                signWith(key);
            }
        }
    }

    /**
     * In a session of its own: C_SignInit and a size query, then the signature while the count and the
     * budget allow (a few times per round), else the session's end.
     */
    private void signWith(TokenObject key) throws Stopped {
        long session = openSession();
        boolean rsa = ((Attribute.UlongValue) key.attributes().get(Pkcs11.CKA_KEY_TYPE).value()).value() == Pkcs11.CKK_RSA;
        Mechanism mechanism = rsa ? new Mechanism(Pkcs11.CKM_RSA_PKCS_PSS, new Mechanism.PssParameter(Pkcs11.CKM_SHA256,
                Pkcs11.CKG_MGF1_SHA256, DIGEST.length)) : Mechanism.of(Pkcs11.CKM_ECDSA);
        for (int i = 0; i < signaturesPerKeyAndRound; i++) {
            call(RpcCall.C_SIGN_INIT, session, mechanism, key.handle());
            call(RpcCall.C_SIGN, session, ByteArray.of(DIGEST), new Capacity(0));
            if (signatures >= maxSignatures || budgetSpent()) {
                break;
            }
            long start = System.nanoTime();
            call(RpcCall.C_SIGN, session, ByteArray.of(DIGEST), new Capacity(1024));
            long took = System.nanoTime() - start;
            signingNanos += took;
            fastestSignatureNanos = Math.min(fastestSignatureNanos, took);
            signatures++;
        }
        call(RpcCall.C_CLOSE_SESSION, session); // ends a sign operation left after the size query too
    }

    /**
     * Each signature so far at the fastest one's time (from the second on: the first alone is the cold one),
     * or the signatures' own time past the cap.
     */
    private boolean budgetSpent() {
        long charged = signatures < 2 ? 0 : signatures * fastestSignatureNanos;
        return charged >= signingBudgetNanos || signingNanos / WALL_CAP_FACTOR >= signingBudgetNanos;
    }

    private long openSession() throws Stopped {
        long session = call(RpcCall.C_OPEN_SESSION, Token.SLOT_ID, Pkcs11.CKF_SERIAL_SESSION).ulong(0);
        call(RpcCall.C_GET_SESSION_INFO, session);
        return session;
    }

    private static List<AttributeQuery> queries(long bufferLength) {
        List<AttributeQuery> out = new ArrayList<>(ATTRIBUTES.length);
        for (long type : ATTRIBUTES) {
            out.add(new AttributeQuery(type, bufferLength));
        }
        return out;
    }

    private static long[] ulongs(RpcMessage answer) {
        return ((UlongArray) answer.values().get(0)).items();
    }

    /** One call through the server's path, as a program's client module would frame it. */
    private RpcMessage call(RpcCall call, Object... values) throws Stopped {
        try {
            RpcFrame response = exchange.send(new RpcFrame(code++, OPTIONS,
                    new RpcMessage(call.id, call.request, List.of(values)).encode()));
            if (response == null) {
                throw new Stopped(call.displayName() + ": the server closed the connection");
            }
            RpcMessage answer = RpcMessage.parse(response.body());
            calls++;
            if (answer.callId() != call.id) {
                throw new Stopped(call.displayName() + " failed (CKR 0x" + Long.toHexString(answer.ulong(0)) + ")");
            }
            return answer;
        } catch (IOException | RpcFormatException e) {
            throw new Stopped(call.displayName() + ": " + e.getMessage());
        }
    }
}
