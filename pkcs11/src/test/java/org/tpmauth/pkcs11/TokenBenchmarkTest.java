package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.pkcs11.RpcMessage.ByteArray;
import org.tpmauth.pkcs11.RpcMessage.Capacity;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.Tools;

/**
 * The speed item of the token, on the in-process libtpms: C_Sign latency over the RPC socket, pkcs11-tool
 * sign latency (a process per signature), and EAP-TLS 1.3 authentications per second with eapol_test
 * against FreeRADIUS, the EC key in the token versus a software key file, in one run. Runs only with
 * {@code -Dbenchmark=true} (mvn -o -pl pkcs11 -am test -Dtest=TokenBenchmarkTest -Dbenchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false); prints {@code name value unit} lines.
 */
class TokenBenchmarkTest {
    @TempDir
    Path work;

    @Test
    void measure() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "benchmark: run with -Dbenchmark=true");
        TestKeystore store = TestKeystore.get();
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm());
             Pkcs11Server server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null),
                     work.resolve("p11.sock"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
             Radius radius = Radius.start(work, store)) {
            rpcSign(server);
            pkcs11ToolSign(server, store);
            eapTls(server, radius, store);
        }
    }

    private static void rpcSign(Pkcs11Server server) throws Exception {
        try (RpcClient c = RpcClient.initialized(server.socket())) {
            long s = c.ok(RpcCall.C_OPEN_SESSION, Token.SLOT_ID, Pkcs11.CKF_SERIAL_SESSION).ulong(0);
            c.ok(RpcCall.C_FIND_OBJECTS_INIT, s, java.util.List.of(Attribute.text(Pkcs11.CKA_LABEL, "ec"),
                    Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY)));
            long key = ((RpcMessage.UlongArray) c.ok(RpcCall.C_FIND_OBJECTS, s, new Capacity(1)).values().get(0)).items()[0];
            long[] micros = new long[300];
            for (int i = 0; i < micros.length; i++) {
                long t = System.nanoTime();
                c.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA), key);
                c.ok(RpcCall.C_SIGN, s, ByteArray.of(new byte[32]), new Capacity(64));
                micros[i] = (System.nanoTime() - t) / 1000;
            }
            System.out.println("rpc_c_sign_ecdsa_p256 " + median(micros) + " us median (SignInit + Sign, 300 times)");
        }
    }

    private static void pkcs11ToolSign(Pkcs11Server server, TestKeystore store) throws Exception {
        Path dir = server.socket().getParent();
        Files.write(dir.resolve("digest"), new byte[32]);
        long[] millis = new long[15];
        for (int i = 0; i < millis.length; i++) {
            long t = System.nanoTime();
            Programs.pkcs11Tool(dir, server.socket(), "--sign", "--label", "ec", "--mechanism", "ECDSA", "-i", "digest",
                    "-o", "sig").ok();
            millis[i] = (System.nanoTime() - t) / 1_000_000;
        }
        System.out.println("pkcs11_tool_sign_ecdsa_p256 " + median(millis) + " ms median (a process each, 15 times)");
    }

    private static void eapTls(Pkcs11Server server, Radius radius, TestKeystore store) throws Exception {
        store.issueSoftware(radius.work, "soft");
        int auths = 20;
        for (int round = 0; round < 2; round++) { // the first round warms up
            long token = timed(() -> radius.eapol("device-ec", Radius.TOKEN_GLOBALS, Radius.tokenCredentials("ec"),
                    "1.3", store.caPem, auths - 1, Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket())));
            long software = timed(() -> radius.eapol("software", "",
                    WpaSupplicant.fileCredentials(Path.of("soft.pem"), Path.of("soft.key")), "1.3", store.caPem,
                    auths - 1, Map.of()));
            if (round == 1) {
                System.out.printf("eap_tls13_ec_token %.1f ms per authentication (%d in one eapol_test run)%n",
                        token / 1e6 / auths, auths);
                System.out.printf("eap_tls13_ec_software_key %.1f ms per authentication%n", software / 1e6 / auths);
            }
        }
    }

    private interface Run {
        Tools.Output run() throws Exception;
    }

    private static long timed(Run run) throws Exception {
        long t = System.nanoTime();
        Tools.Output r = run.run();
        long elapsed = System.nanoTime() - t;
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("SUCCESS"));
        return elapsed;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
