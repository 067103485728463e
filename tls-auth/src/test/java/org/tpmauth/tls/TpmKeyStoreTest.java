package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.Signature;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;

/** The TPM2 KeyStore: key file, keystore directory and persistent-handle sources; mismatches refused. */
class TpmKeyStoreTest {
    /** Persistent handle of this class on the JVM-wide libtpms. */
    private static final int PERSISTENT = 0x81000B51;

    private static KeyStore store(TpmKeys keys, TpmKeyStoreParameter.Source... sources) throws Exception {
        KeyStore ks = KeyStore.getInstance("TPM2", TpmProvider.install());
        ks.load(new TpmKeyStoreParameter(keys, sources));
        return ks;
    }

    @Test
    void directoryOfPairs(@TempDir Path dir) throws Exception {
        TestKeys t = TestKeys.get();
        // NAME.key + NAME.crt, and the older NAME.key.pem + NAME.crt.pem
        Files.copy(t.keyFile(KeyAlgorithm.EC_P256), dir.resolve("ec-p256.key"));
        Files.copy(t.certFile(KeyAlgorithm.EC_P256), dir.resolve("ec-p256.crt"));
        Files.copy(t.keyFile(KeyAlgorithm.EC_P384), dir.resolve("ec-p384.key.pem"));
        Files.copy(t.certFile(KeyAlgorithm.EC_P384), dir.resolve("ec-p384.crt.pem"));
        Files.copy(t.keyFile(KeyAlgorithm.RSA_2048), dir.resolve("lonely.key")); // no certificate: ignored
        try (TpmKeys keys = new TpmKeys(TestKeys.tpm())) {
            KeyStore ks = store(keys, new TpmKeyStoreParameter.Directory(dir));
            assertEquals(List.of("ec-p256", "ec-p384"), Collections.list(ks.aliases()));
            assertTrue(ks.isKeyEntry("ec-p384"));
            assertEquals(Certificates.read(t.certFile(KeyAlgorithm.EC_P384)).get(0), ks.getCertificate("ec-p384"));
            assertEquals("ec-p384", ks.getCertificateAlias(ks.getCertificate("ec-p384")));
            TpmPrivateKey key = assertInstanceOf(TpmPrivateKey.class, ks.getKey("ec-p384", null));
            assertEquals(ks.getCertificate("ec-p384").getPublicKey(), key.publicKey());
            Signature s = Signature.getInstance("SHA384withECDSA");
            s.initSign(key);
            s.update(new byte[] {1, 2, 3});
            byte[] signature = s.sign();
            Signature v = Signature.getInstance("SHA384withECDSA");
            v.initVerify(ks.getCertificate("ec-p384"));
            v.update(new byte[] {1, 2, 3});
            assertTrue(v.verify(signature));
            assertThrows(KeyStoreException.class, () -> ks.setKeyEntry("x", key, null, ks.getCertificateChain("ec-p384")));
        }
    }

    @Test
    void keyThatDoesNotMatchItsCertificateIsRefused() throws Exception {
        TestKeys t = TestKeys.get();
        try (TpmKeys keys = new TpmKeys(TestKeys.tpm())) {
            var wrong = new TpmKeyStoreParameter.KeyFile("device", Tss2KeyFile.read(t.keyFile(KeyAlgorithm.EC_P256)),
                    Certificates.read(t.certFile(KeyAlgorithm.EC_P384)));
            IOException e = assertThrows(IOException.class, () -> store(keys, wrong));
            assertTrue(e.getMessage().contains("'device' does not match its certificate CN=device-ec-p384"),
                    e.getMessage());

            TpmKey loaded = keys.load(Tss2KeyFile.read(t.keyFile(KeyAlgorithm.EC_P256)), new byte[0]);
            var mismatch = assertThrows(Certificates.KeyMismatchException.class, () -> TpmKeyManager.of("device",
                    TpmPrivateKey.of(keys, loaded), Certificates.read(t.certFile(KeyAlgorithm.EC_P384))));
            assertTrue(mismatch.getMessage().contains("does not match"));
        }
    }

    @Test
    void persistentHandle() throws Exception {
        TestKeys t = TestKeys.get();
        try (TpmKeys keys = new TpmKeys(TestKeys.tpm())) {
            TpmKey loaded = keys.load(Tss2KeyFile.read(t.keyFile(KeyAlgorithm.EC_P256)), new byte[0]);
            keys.persist(loaded, PERSISTENT);
            try {
                KeyStore ks = store(keys, new TpmKeyStoreParameter.Persistent("p", PERSISTENT,
                        Certificates.read(t.certFile(KeyAlgorithm.EC_P256))));
                TpmPrivateKey key = (TpmPrivateKey) ks.getKey("p", new char[0]);
                assertEquals(PERSISTENT, key.key().handle());
                assertArrayEquals(loaded.publicKey().getEncoded(), key.publicKey().getEncoded());
            } finally {
                keys.evict(PERSISTENT);
            }
            IOException e = assertThrows(IOException.class, () -> store(keys, new TpmKeyStoreParameter.Persistent("p",
                    PERSISTENT, Certificates.read(t.certFile(KeyAlgorithm.EC_P256)))));
            assertTrue(e.getMessage().startsWith("no key at persistent handle 0x81000b51"), e.getMessage());
        }
    }
}
