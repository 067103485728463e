package org.tpmauth.vpn.openvpn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.TpmSigner;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;

/**
 * The backend against a scripted management server: every PK_SIGN algorithm string OpenVPN 2.6 can send,
 * each answer checked with the public key; requests it cannot serve get an empty pk-sig; garbage,
 * truncated, oversized and non-UTF-8 lines are skipped and the backend keeps serving.
 */
class ManagementProtocolTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    static VpnTestKeys keys;
    static final byte[] MESSAGE = "the TLS 1.3 CertificateVerify content".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void material() throws Exception {
        keys = new VpnTestKeys(SWTPM, dir);
    }

    @AfterAll
    static void closeKeys() {
        keys.close();
    }

    @Test
    void ecdsaRequests() throws Exception {
        try (FakeOpenVpn vpn = new FakeOpenVpn(); BackendThread backend = backend(KeyAlgorithm.EC_P256, vpn)) {
            vpn.accept();
            PublicKey pub = keys.key(KeyAlgorithm.EC_P256).publicKey();
            assertTrue(verify("SHA256withECDSA", pub, MESSAGE, vpn.sign(sha("SHA-256", MESSAGE), "ECDSA")));
            assertTrue(verify("SHA256withECDSA", pub, MESSAGE, vpn.sign(MESSAGE, "ECDSA,hashalg=SHA256,data=message")));
            assertTrue(verify("SHA384withECDSA", pub, MESSAGE, vpn.sign(MESSAGE, "ECDSA,hashalg=SHA2-384,data=message")));
            assertTrue(verify("SHA256withECDSA", pub, MESSAGE, vpn.sign(sha("SHA-256", MESSAGE), ""))); // version 2
            // a key of the wrong type, EdDSA and unknown algorithms: refused with an empty pk-sig
            assertEquals(0, vpn.sign(digestInfo(sha("SHA-256", MESSAGE)), "RSA_PKCS1_PADDING").length);
            assertEquals(0, vpn.sign(MESSAGE, "ED25519").length);
            assertEquals(0, vpn.sign(MESSAGE, "FUTURE_PADDING,hashalg=SHA256").length);
            assertEquals(0, vpn.sign(MESSAGE, "ECDSA,hashalg=MD5,data=message").length);
            assertEquals(4, backend.backend.signatures(), backend.log());
            String log = backend.log();
            assertTrue(log.contains("cannot sign RSA_PKCS1_PADDING: this signature needs an RSA key, not EC"), log);
            assertTrue(log.contains("cannot sign ED25519: ED25519 is not a TPM algorithm"), log);
            assertTrue(log.contains("unknown signature algorithm 'FUTURE_PADDING'"), log);
            assertTrue(log.contains("hashalg=MD5 is not supported"), log);
        }
    }

    @Test
    void rsaRequests() throws Exception {
        try (FakeOpenVpn vpn = new FakeOpenVpn(); BackendThread backend = backend(KeyAlgorithm.RSA_2048, vpn)) {
            vpn.accept();
            var key = keys.key(KeyAlgorithm.RSA_2048);
            RSAPublicKey pub = (RSAPublicKey) key.publicKey();
            byte[] digest = sha("SHA-256", MESSAGE);
            assertTrue(verify("SHA256withRSA", pub, MESSAGE, vpn.sign(digestInfo(digest), "RSA_PKCS1_PADDING")));
            assertTrue(verify("SHA256withRSA", pub, MESSAGE, vpn.sign(MESSAGE, "RSA_PKCS1_PADDING,hashalg=SHA256,data=message")));
            assertTrue(verifyPss(pub, "SHA-256", 32, MESSAGE, vpn.sign(digest,
                    "RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest")));
            int max = TpmSigner.maxPssSaltLength(key, TpmAlg.SHA256);
            assertTrue(verifyPss(pub, "SHA-256", max, MESSAGE, vpn.sign(digest,
                    "RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=max")));
            assertTrue(verifyPss(pub, "SHA-384", 48, MESSAGE, vpn.sign(MESSAGE,
                    "RSA_PKCS1_PSS_PADDING,hashalg=SHA384,saltlen=digest,data=message")));
            // no padding: OpenVPN pads, the key raises the block to its private exponent
            byte[] block = new byte[256];
            block[1] = 1;
            Arrays.fill(block, 2, 200, (byte) 0xff);
            System.arraycopy(digest, 0, block, 256 - 32, 32);
            byte[] raw = vpn.sign(block, "RSA_NO_PADDING");
            assertArrayEquals(block, toBytes(new BigInteger(1, raw).modPow(pub.getPublicExponent(), pub.getModulus()), 256));
            assertEquals(0, vpn.sign(digest, "ECDSA").length);
            assertEquals(0, vpn.sign(digest, "RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=9999").length);
            assertEquals(0, vpn.sign(digest, "RSA_PKCS1_PSS_PADDING,saltlen=digest").length);
            assertEquals(6, backend.backend.signatures(), backend.log());
        }
    }

    @Test
    void certificateAndHold() throws Exception {
        X509Certificate cert = keys.certificate(KeyAlgorithm.EC_P256, keys.pki);
        try (FakeOpenVpn vpn = new FakeOpenVpn();
                BackendThread backend = new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", vpn.port()), false,
                        keys.key(KeyAlgorithm.EC_P256), List.of(cert, keys.pki.ca), null)) {
            vpn.accept();
            vpn.send(">HOLD:Waiting for hold release:0\n");
            vpn.expect("hold release");
            vpn.send(">NEED-CERTIFICATE:macosx-keychain:subject:o=OpenVPN-TEST\n");
            vpn.expect("certificate");
            String pem = String.join("\n", vpn.readUntilEnd()) + "\n";
            assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
            var read = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            assertEquals(List.of(cert, keys.pki.ca), List.copyOf(read));
        }
    }

    /** Lines OpenVPN never sends are logged and skipped; the next request is served. */
    @Test
    void garbageTruncatedAndOversizedLinesAreSkipped() throws Exception {
        try (FakeOpenVpn vpn = new FakeOpenVpn(); BackendThread backend = backend(KeyAlgorithm.EC_P256, vpn)) {
            vpn.accept();
            vpn.send(new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n'});
            vpn.send(">\n>:\n>lower:case\n>PK_SIG\n>NEED-CERTIF\n>STATE:1,CONNECTED\r\n>LOG:1,W,warning\n>FATAL:gone\n");
            vpn.send(">INFO:" + "x".repeat(3 * ManagementReader.MAX_LINE) + "\n");
            vpn.send(">PASSWORD:Need 'Auth' username/password\nSUCCESS: fine\nERROR: unknown command\n");
            assertEquals(0, vpn.sign(new byte[0], "ECDSA").length); // no data
            vpn.send(">PK_SIGN:!!!notbase64,ECDSA\n");
            assertEquals(0, vpn.readPkSig().length);
            vpn.send(">PK_SIGN:AAAA,ECDSA,hashalg\n");
            assertEquals(0, vpn.readPkSig().length);
            PublicKey pub = keys.key(KeyAlgorithm.EC_P256).publicKey();
            assertTrue(verify("SHA256withECDSA", pub, MESSAGE, vpn.sign(sha("SHA-256", MESSAGE), "ECDSA")));
            String log = backend.log();
            assertTrue(log.contains("skipped a malformed line (line of " + (3 * ManagementReader.MAX_LINE + 6)
                    + " bytes is longer than"), log);
            assertTrue(log.contains("skipped a malformed line ('lower' is not a message type)"), log);
            assertTrue(log.contains("OpenVPN FATAL: gone"), log);
            assertTrue(log.contains("OpenVPN STATE: 1,CONNECTED\n"), log);
            assertTrue(log.contains("OpenVPN: ???"), log); // control characters are not logged
            assertTrue(log.contains("unreadable signature request (signature parameter 'hashalg' is not name=value)"), log);
        }
    }

    /** OpenVPN goes away and comes back: the backend reconnects. */
    @Test
    void reconnectsAfterHangUp() throws Exception {
        try (FakeOpenVpn vpn = new FakeOpenVpn(); BackendThread backend = backend(KeyAlgorithm.EC_P256, vpn)) {
            vpn.accept();
            vpn.hangUp();
            vpn.accept();
            assertTrue(vpn.sign(sha("SHA-256", MESSAGE), "ECDSA").length > 0);
            assertEquals(2, backend.backend.connections());
        }
    }

    @Test
    void listeningOnATakenAddressFails() throws Exception {
        try (FakeOpenVpn taken = new FakeOpenVpn()) {
            OpenVpnBackend backend = new OpenVpnBackend(new ManagementEndpoint.Tcp("127.0.0.1", taken.port()), true,
                    keys.key(KeyAlgorithm.EC_P256), List.of(keys.certificate(KeyAlgorithm.EC_P256, keys.pki)), null,
                    line -> { });
            var e = assertThrows(UncheckedIOException.class, backend::run);
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.port()), e.getMessage());
        }
    }

    @Test
    void endpoints() {
        assertEquals(new ManagementEndpoint.Tcp("127.0.0.1", 7505), ManagementEndpoint.parse("127.0.0.1:7505"));
        assertEquals(new ManagementEndpoint.Tcp("::1", 7505), ManagementEndpoint.parse("[::1]:7505"));
        assertEquals(new ManagementEndpoint.Unix(Path.of("/run/x.sock")), ManagementEndpoint.parse("unix:/run/x.sock"));
        for (String bad : new String[] {"localhost", "host:0", "host:x", "unix:", ":7505"}) {
            assertThrows(IllegalArgumentException.class, () -> ManagementEndpoint.parse(bad), bad);
        }
    }

    private static BackendThread backend(KeyAlgorithm algorithm, FakeOpenVpn vpn) throws Exception {
        return new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", vpn.port()), false, keys.key(algorithm),
                List.of(keys.certificate(algorithm, keys.pki)), null);
    }

    static byte[] sha(String hash, byte[] data) throws Exception {
        return MessageDigest.getInstance(hash).digest(data);
    }

    static byte[] digestInfo(byte[] sha256) throws Exception {
        return new DigestInfo(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE), sha256)
                .getEncoded("DER");
    }

    private static boolean verify(String algorithm, PublicKey key, byte[] message, byte[] signature) throws Exception {
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(key);
        v.update(message);
        return v.verify(signature);
    }

    private static boolean verifyPss(PublicKey key, String hash, int salt, byte[] message, byte[] signature)
            throws Exception {
        Signature v = Signature.getInstance("RSASSA-PSS");
        v.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), salt, 1));
        v.initVerify(key);
        v.update(message);
        return v.verify(signature);
    }

    private static byte[] toBytes(BigInteger n, int size) {
        byte[] b = n.toByteArray();
        byte[] out = new byte[size];
        System.arraycopy(b, Math.max(0, b.length - size), out, Math.max(0, size - b.length), Math.min(size, b.length));
        return out;
    }
}
