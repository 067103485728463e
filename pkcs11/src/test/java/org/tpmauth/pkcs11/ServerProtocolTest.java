package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.pkcs11.RpcMessage.AttributeQuery;
import org.tpmauth.pkcs11.RpcMessage.ByteArray;
import org.tpmauth.pkcs11.RpcMessage.Capacity;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * The server's protocol semantics as a client sees them on the wire: the version answer, size queries
 * that keep the operation, attribute answers (sensitive, unknown, too small), unsupported calls, and
 * malformed messages or dead programs that end only their own connection.
 */
class ServerProtocolTest {
    @TempDir
    static Path work;
    private static TpmKeys keys;
    private static Pkcs11Server server;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static X509Certificate ecCert;

    @BeforeAll
    static void start() throws Exception {
        TestKeystore store = TestKeystore.get();
        keys = new TpmKeys(TestKeystore.tpm());
        server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("p11.sock"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
        ecCert = Certificates.read(store.dir.resolve("ec.crt")).get(0);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        keys.close();
    }

    private static long session(RpcClient c) throws Exception {
        return c.ok(RpcCall.C_OPEN_SESSION, Token.SLOT_ID, Pkcs11.CKF_SERIAL_SESSION).ulong(0);
    }

    /** The handle of the first object matching {@code template}. */
    private static long find(RpcClient c, long session, Attribute... template) throws Exception {
        c.ok(RpcCall.C_FIND_OBJECTS_INIT, session, List.of(template));
        long[] found = ((RpcMessage.UlongArray) c.ok(RpcCall.C_FIND_OBJECTS, session, new Capacity(10)).values().get(0))
                .items();
        c.ok(RpcCall.C_FIND_OBJECTS_FINAL, session);
        return found.length == 0 ? 0 : found[0];
    }

    private static long ecKey(RpcClient c, long session) throws Exception {
        return find(c, session, Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                Attribute.text(Pkcs11.CKA_LABEL, "ec"));
    }

    @Test
    void newerClientsGetVersionZero() throws Exception {
        try (RpcClient c = new RpcClient(server.socket(), 2)) {
            c.ok(RpcCall.C_FINALIZE);
        }
    }

    @Test
    void sizeQueryKeepsTheSignatureOperationAndTheSignatureVerifies() throws Exception {
        try (RpcClient c = RpcClient.initialized(server.socket())) {
            long s = session(c);
            long key = ecKey(c, s);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest("hello".getBytes());
            c.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA), key);
            assertEquals(ByteArray.lengthOnly(64), c.ok(RpcCall.C_SIGN, s, ByteArray.of(digest), new Capacity(0))
                    .values().get(0));
            assertEquals(ByteArray.lengthOnly(64), c.ok(RpcCall.C_SIGN, s, ByteArray.of(digest), new Capacity(10))
                    .values().get(0));
            byte[] signature = c.ok(RpcCall.C_SIGN, s, ByteArray.of(digest), new Capacity(64)).bytes(0);
            Signature v = Signature.getInstance("NONEwithECDSAinP1363Format");
            v.initVerify(ecCert.getPublicKey());
            v.update(digest);
            assertTrue(v.verify(signature));
            // the signature ended the operation
            assertEquals(Pkcs11.CKR_OPERATION_NOT_INITIALIZED, c.rv(RpcCall.C_SIGN, s, ByteArray.of(digest),
                    new Capacity(64)));

            // multi-part with the token hashing (CKM_ECDSA_SHA256, what newer clients forward)
            c.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA_SHA256), key);
            c.ok(RpcCall.C_SIGN_UPDATE, s, ByteArray.of("hel".getBytes()));
            c.ok(RpcCall.C_SIGN_UPDATE, s, ByteArray.of("lo".getBytes()));
            byte[] multi = c.ok(RpcCall.C_SIGN_FINAL, s, new Capacity(64)).bytes(0);
            Signature v2 = Signature.getInstance("SHA256withECDSAinP1363Format");
            v2.initVerify(ecCert.getPublicKey());
            v2.update("hello".getBytes());
            assertTrue(v2.verify(multi));
        }
    }

    @Test
    void wrongMechanismsAndKeysAreRefused() throws Exception {
        try (RpcClient c = RpcClient.initialized(server.socket())) {
            long s = session(c);
            long key = ecKey(c, s);
            assertEquals(Pkcs11.CKR_KEY_TYPE_INCONSISTENT, c.rv(RpcCall.C_SIGN_INIT, s,
                    Mechanism.of(Pkcs11.CKM_RSA_PKCS), key));
            assertEquals(Pkcs11.CKR_MECHANISM_INVALID, c.rv(RpcCall.C_SIGN_INIT, s, Mechanism.of(0x1082), key));
            assertEquals(Pkcs11.CKR_KEY_HANDLE_INVALID, c.rv(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA),
                    key + 2)); // the certificate
            assertEquals(Pkcs11.CKR_SESSION_HANDLE_INVALID, c.rv(RpcCall.C_SIGN_INIT, 999L,
                    Mechanism.of(Pkcs11.CKM_ECDSA), key));
            long rsa = find(c, s, Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                    Attribute.ulong(Pkcs11.CKA_KEY_TYPE, Pkcs11.CKK_RSA));
            assertEquals(Pkcs11.CKR_MECHANISM_PARAM_INVALID, c.rv(RpcCall.C_SIGN_INIT, s,
                    new Mechanism(Pkcs11.CKM_RSA_PKCS_PSS, new Mechanism.PssParameter(Pkcs11.CKM_SHA256,
                            Pkcs11.CKG_MGF1_SHA256, 100_000)), rsa));
            c.ok(RpcCall.C_SIGN_INIT, s, new Mechanism(Pkcs11.CKM_RSA_PKCS_PSS, new Mechanism.PssParameter(
                    Pkcs11.CKM_SHA256, Pkcs11.CKG_MGF1_SHA256, 32)), rsa);
            assertEquals(Pkcs11.CKR_DATA_LEN_RANGE, c.rv(RpcCall.C_SIGN, s, ByteArray.of(new byte[20]),
                    new Capacity(256)));
        }
    }

    @Test
    void attributesAreAnsweredHonestly() throws Exception {
        try (RpcClient c = RpcClient.initialized(server.socket())) {
            long s = session(c);
            long key = ecKey(c, s);
            RpcMessage m = c.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, key, List.of(
                    new AttributeQuery(Pkcs11.CKA_EC_PARAMS, 0), new AttributeQuery(Pkcs11.CKA_SENSITIVE, 1),
                    new AttributeQuery(Pkcs11.CKA_EXTRACTABLE, 1), new AttributeQuery(Pkcs11.CKA_ALWAYS_AUTHENTICATE, 1)));
            assertEquals(List.of(Attribute.bytes(Pkcs11.CKA_EC_PARAMS, HexFormat.of().parseHex("06082a8648ce3d030107")),
                    Attribute.bool(Pkcs11.CKA_SENSITIVE, true), Attribute.bool(Pkcs11.CKA_EXTRACTABLE, false),
                    Attribute.bool(Pkcs11.CKA_ALWAYS_AUTHENTICATE, false)), m.attributes(0));
            assertEquals(Pkcs11.CKR_OK, m.ulong(1));
            // the private value: sensitive, never a value
            m = c.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, key, List.of(new AttributeQuery(Pkcs11.CKA_VALUE, 1000),
                    new AttributeQuery(Pkcs11.CKA_ID, 100)));
            assertNull(m.attributes(0).get(0).value());
            assertEquals(20, m.attributes(0).get(1).length());
            assertEquals(Pkcs11.CKR_ATTRIBUTE_SENSITIVE, m.ulong(1));
            // unknown attribute, and a buffer too small
            m = c.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, key, List.of(new AttributeQuery(0x7777, 10)));
            assertEquals(Pkcs11.CKR_ATTRIBUTE_TYPE_INVALID, m.ulong(1));
            m = c.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, key, List.of(new AttributeQuery(Pkcs11.CKA_EC_POINT, 10)));
            assertNull(m.attributes(0).get(0).value());
            assertEquals(Pkcs11.CKR_BUFFER_TOO_SMALL, m.ulong(1));
            // the allowed mechanisms travel with their items, even for a size query
            m = c.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, key, List.of(new AttributeQuery(Pkcs11.CKA_ALLOWED_MECHANISMS, 0)));
            assertTrue(m.attributes(0).get(0).value() instanceof Attribute.MechanismsValue v && v.mechanisms().length == 5);
            // the certificate's value is its DER
            long cert = find(c, s, Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_CERTIFICATE),
                    Attribute.text(Pkcs11.CKA_LABEL, "ec"));
            m = c.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, cert, List.of(new AttributeQuery(Pkcs11.CKA_VALUE, 4096)));
            assertArrayEquals(ecCert.getEncoded(), ((Attribute.BytesValue) m.attributes(0).get(0).value()).bytes());
            assertEquals(Pkcs11.CKR_OBJECT_HANDLE_INVALID, c.rv(RpcCall.C_GET_ATTRIBUTE_VALUE, s, 4242L,
                    List.of(new AttributeQuery(Pkcs11.CKA_CLASS, 8))));
        }
    }

    @Test
    void unsupportedCallsGetFunctionNotSupported() throws Exception {
        try (RpcClient c = RpcClient.initialized(server.socket())) {
            assertEquals(Pkcs11.CKR_FUNCTION_NOT_SUPPORTED, c.rv(RpcCall.C_WAIT_FOR_SLOT_EVENT, 0L));
            long s = session(c);
            assertEquals(Pkcs11.CKR_FUNCTION_NOT_SUPPORTED, c.rv(RpcCall.C_GENERATE_KEY_PAIR, s,
                    Mechanism.of(0x1040), List.of(), List.of()));
            assertEquals(Pkcs11.CKR_FUNCTION_NOT_SUPPORTED, c.rv(RpcCall.C_DECRYPT_INIT, s,
                    Mechanism.of(Pkcs11.CKM_RSA_PKCS), 1L));
            // an id this protocol version does not know
            RpcMessage unknown = RpcMessage.parse(c.raw(new RpcMessage(200, "u", List.of(1L)).encode()));
            assertEquals(Pkcs11.CKR_FUNCTION_NOT_SUPPORTED, unknown.ulong(0));
            assertEquals(Pkcs11.CKR_SLOT_ID_INVALID, c.rv(RpcCall.C_GET_TOKEN_INFO, 77L));
        }
    }

    @Test
    void malformedMessageEndsOnlyItsOwnConnection() throws Exception {
        try (RpcClient good = RpcClient.initialized(server.socket());
             RpcClient bad = RpcClient.initialized(server.socket())) {
            long s = session(good);
            // C_Login with the signature of C_OpenSession
            assertThrows(IOException.class, () -> bad.raw(new RpcMessage(RpcCall.C_LOGIN.id, "uu", List.of(1L, 4L))
                    .encode()));
            assertEquals(List.of(Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY)),
                    good.ok(RpcCall.C_GET_ATTRIBUTE_VALUE, s, ecKey(good, s),
                            List.of(new AttributeQuery(Pkcs11.CKA_CLASS, 8))).attributes(0));
        }
        // the server logs after closing the connection
        String expected = "malformed message: C_Login with signature 'uu'";
        for (int i = 0; i < 100 && !LOG.toString(StandardCharsets.UTF_8).contains(expected); i++) {
            Thread.sleep(50);
        }
        assertTrue(LOG.toString(StandardCharsets.UTF_8).contains(expected), LOG::toString);
    }

    @Test
    void programThatDiesMidOperationFreesItsSessions() throws Exception {
        RpcClient dying = RpcClient.initialized(server.socket());
        long s = session(dying);
        dying.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA), ecKey(dying, s));
        dying.close();
        try (RpcClient next = RpcClient.initialized(server.socket())) {
            long mine = session(next);
            assertEquals(1, mine, "sessions belong to their connection");
            next.ok(RpcCall.C_SIGN_INIT, mine, Mechanism.of(Pkcs11.CKM_ECDSA), ecKey(next, mine));
        }
    }

    @Test
    void restartedServiceFailsTheOldConnectionAndServesANewOne() throws Exception {
        Path socket = work.resolve("restart.sock");
        Token token = Token.open(keys, TestKeystore.get().dir, "tpmauth", null);
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Pkcs11Server first = Pkcs11Server.start(token, socket, log);
        RpcClient held = RpcClient.initialized(socket);
        long s = session(held);
        first.close();
        try (Pkcs11Server second = Pkcs11Server.start(token, socket, log)) {
            assertThrows(IOException.class, () -> held.call(RpcCall.C_GET_SESSION_INFO, s));
            held.close();
            try (RpcClient fresh = RpcClient.initialized(socket)) {
                long mine = session(fresh);
                fresh.ok(RpcCall.C_SIGN_INIT, mine, Mechanism.of(Pkcs11.CKM_ECDSA), ecKey(fresh, mine));
            }
        }
    }

    @Test
    void theSocketReplacesAStaleOneAndAppearsOnlyWithItsMode() throws Exception {
        Path dir = Files.createDirectory(work.resolve("mode"));
        Path socket = dir.resolve("p11.sock");
        Files.writeString(socket, "a stale socket file");
        Token token = Token.open(keys, TestKeystore.get().dir, "tpmauth", null);
        try (Pkcs11Server server = Pkcs11Server.start(token, socket,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            // bound under another name and renamed once its mode is set: a program waiting for the path
            // never finds it with the umask's mode
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(socket), files.toList(), "no temporary name left behind");
            }
            try (RpcClient c = RpcClient.initialized(socket)) {
                session(c);
            }
        }
        assertFalse(Files.exists(socket), "a closed server removes its socket");
    }

    @Test
    void twoProgramsSignAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                results.add(pool.submit(() -> {
                    int verified = 0;
                    try (RpcClient c = RpcClient.initialized(server.socket())) {
                        long s = session(c);
                        long key = ecKey(c, s);
                        for (int i = 0; i < 5; i++) {
                            byte[] digest = MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) i});
                            c.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA), key);
                            byte[] sig = c.ok(RpcCall.C_SIGN, s, ByteArray.of(digest), new Capacity(64)).bytes(0);
                            Signature v = Signature.getInstance("NONEwithECDSAinP1363Format");
                            v.initVerify(ecCert.getPublicKey());
                            v.update(digest);
                            verified += v.verify(sig) ? 1 : 0;
                        }
                    }
                    return verified;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(5, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
