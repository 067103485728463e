package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.pkcs11.RpcMessage.ByteArray;
import org.tpmauth.pkcs11.RpcMessage.Capacity;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * The server's warm-up: real signatures with the keys a program may use without login, none (and no PIN)
 * for a token that needs one, and nothing left behind that a program would notice.
 */
class WarmUpTest {
    @TempDir
    static Path work;
    private static TpmKeys keys;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        keys = new TpmKeys(TestKeystore.tpm());
    }

    @AfterAll
    static void stop() {
        keys.close();
    }

    private static Pkcs11Server server(String name, byte[] pin) throws Exception {
        return Pkcs11Server.start(Token.open(keys, TestKeystore.get().dir, name, pin), work.resolve(name + ".sock"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @Test
    void signsWithEachKeyUpToTheCountThenServesProgramsAsBefore() throws Exception {
        try (Pkcs11Server server = server("open", null)) {
            WarmUp.Result r = server.warmUp(4, 3, Duration.ofSeconds(30)).orElseThrow();
            // two keys (ec, rsa), one signature each per round: ec and rsa, then ec, then the count is reached
            assertEquals(3, r.signatures(), r.toString());
            assertEquals(4, r.rounds());
            assertTrue(r.calls() > 4 * 20, r.toString());
            assertEquals("", LOG.toString(StandardCharsets.UTF_8), "the warm-up's calls all succeed");
            try (RpcClient c = RpcClient.initialized(server.socket())) {
                long s = c.ok(RpcCall.C_OPEN_SESSION, Token.SLOT_ID, Pkcs11.CKF_SERIAL_SESSION).ulong(0);
                c.ok(RpcCall.C_FIND_OBJECTS_INIT, s, List.of(Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                        Attribute.text(Pkcs11.CKA_LABEL, "ec")));
                long key = ((RpcMessage.UlongArray) c.ok(RpcCall.C_FIND_OBJECTS, s, new Capacity(1)).values().get(0))
                        .items()[0];
                c.ok(RpcCall.C_FIND_OBJECTS_FINAL, s);
                c.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA), key);
                RpcMessage sig = c.ok(RpcCall.C_SIGN, s, ByteArray.of(new byte[32]), new Capacity(64));
                assertEquals(64, ((ByteArray) sig.values().get(0)).bytes().length);
            }
        }
    }

    @Test
    void aTokenWithAPinIsWarmedWithoutSignaturesOrLogin() throws Exception {
        try (Pkcs11Server server = server("pin", "1234".getBytes(StandardCharsets.UTF_8))) {
            WarmUp.Result r = server.warmUp(3, 10, Duration.ofSeconds(30)).orElseThrow();
            assertEquals(0, r.signatures(), "private keys stay hidden without a login");
            try (RpcClient c = RpcClient.initialized(server.socket())) {
                long flags = c.ok(RpcCall.C_GET_TOKEN_INFO, Token.SLOT_ID).ulong(4);
                assertEquals(0, flags & Pkcs11.CKF_USER_PIN_LOCKED, "no PIN try was made or counted");
                long s = c.ok(RpcCall.C_OPEN_SESSION, Token.SLOT_ID, Pkcs11.CKF_SERIAL_SESSION).ulong(0);
                c.ok(RpcCall.C_LOGIN, s, Pkcs11.CKU_USER, ByteArray.of("1234".getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void signaturesAreSpreadOverTheRounds() throws Exception {
        try (Pkcs11Server server = server("spread", null)) {
            // 10 signatures over 2 rounds: up to 5 per key and round, so the first round's ec and rsa make them
            assertEquals(10, server.warmUp(2, 10, Duration.ofSeconds(30)).orElseThrow().signatures());
            assertEquals("", LOG.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSlowFirstSignatureDoesNotSpendTheSigningBudget() throws Exception {
        try (Pkcs11Server server = server("slow", null);
             RpcClient client = new RpcClient(server.socket(), 0)) {
            AtomicInteger signatures = new AtomicInteger();
            // the first signature stalls past the whole budget, as a JVM's first, interpreted one on a busy
            // machine may; the budget is the TPM's time, so the others still come, up to the count
            WarmUp.Result r = WarmUp.run(Token.open(keys, TestKeystore.get().dir, "slow", null), request -> {
                RpcMessage call = RpcMessage.parse(request.body());
                if (call.callId() == RpcCall.C_SIGN.id && call.capacity(2) > 0 && signatures.getAndIncrement() == 0) {
                    stall();
                }
                return new RpcFrame(request.code(), new byte[0], client.raw(request.body()));
            }, () -> true, 2, 6, Duration.ofSeconds(1));
            assertEquals(6, r.signatures(), r.toString());
        }
    }

    private static void stall() throws IOException {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void aClosedServerIsNotWarmedUp() throws Exception {
        Pkcs11Server server = server("closed", null);
        server.close();
        assertTrue(server.warmUp(5, 5, Duration.ofSeconds(30)).isEmpty(), "nothing to connect to");
        assertEquals("", LOG.toString(StandardCharsets.UTF_8), "a closed server's warm-up is no failure to log");
    }

    @Test
    void aSigningBudgetOfNothingMeansNoSignatures() throws Exception {
        try (Pkcs11Server server = server("budget", null)) {
            assertEquals(0, server.warmUp(2, 100, Duration.ZERO).orElseThrow().signatures());
        }
    }
}
