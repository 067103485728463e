package org.tpmauth.attestation.credential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * AK enrollment on swtpm: software MakeCredential activates on the TPM for RSA and ECC EKs and AKs,
 * files cross both ways with tpm2_makecredential / tpm2_activatecredential, a credential for another
 * Name is refused by name, and TPM2_Certify of a tpmauth key verifies.
 */
class CredentialActivationTest {
    private static final int AK_HANDLE = 0x81000042;
    private static final byte[] SECRET = "enrollment secret of 32 bytes!!!".getBytes();
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;
    private static TpmKeys keys;
    private static Tss2KeyFile ecAkFile;

    @BeforeAll
    static void start() {
        // resource-managed: swtpm has three object slots, and EK, SRK, AK and a salt key are four
        tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
        ecAkFile = AttestationKeys.create(tpm, KeyAlgorithm.EC_P256);
    }

    @AfterAll
    static void close() {
        keys.close();
    }

    @ParameterizedTest
    @CsvSource({"RSA_2048, ec-p256", "ECC_P256, ec-p256", "ECC_P384, rsa-2048", "RSA_2048, rsa-2048"})
    void softwareMakeCredentialActivatesOnTheTpm(EkTemplate template, String akType) {
        Tss2KeyFile file = AttestationKeys.create(tpm, KeyAlgorithm.parse(akType));
        TpmKey ak = keys.load(file, null);
        try (EndorsementKey ek = EndorsementKey.create(tpm, template)) {
            CredentialFile cred = CredentialMaker.make(ek.publicKey(), EkTemplate.forPublicKey(ek.publicKey()),
                    ak.name(), SECRET);
            assertArrayEquals(SECRET, CredentialActivation.activate(tpm, ak, ek, CredentialFile.fromBytes(cred.toBytes())));
        } finally {
            keys.unload(ak);
        }
    }

    @Test
    void aCredentialForAnotherNameIsRefusedAndSaysSo() {
        TpmKey ak = keys.load(ecAkFile, null);
        try (EndorsementKey ek = EndorsementKey.create(tpm, EkTemplate.RSA_2048)) {
            byte[] other = ak.name();
            other[5] ^= 1;
            CredentialFile cred = CredentialMaker.make(ek.publicKey(), EkTemplate.RSA_2048, other, SECRET);
            TpmException e = assertThrows(TpmException.class, () -> CredentialActivation.activate(tpm, ak, ek, cred));
            assertTrue(e.getMessage().contains("another AK Name"), e.getMessage());
            // the policy session was flushed: the next activation works
            CredentialFile good = CredentialMaker.make(ek.publicKey(), EkTemplate.RSA_2048, ak.name(), SECRET);
            assertArrayEquals(SECRET, CredentialActivation.activate(tpm, ak, ek, good));
        } finally {
            keys.unload(ak);
        }
    }

    @Test
    void aCredentialForAnotherTpmsEkIsRefused() throws Exception {
        TpmKey ak = keys.load(ecAkFile, null);
        try (EndorsementKey ek = EndorsementKey.create(tpm, EkTemplate.RSA_2048)) {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            CredentialFile cred = CredentialMaker.make(g.generateKeyPair().getPublic(), EkTemplate.RSA_2048,
                    ak.name(), SECRET);
            TpmException e = assertThrows(TpmException.class, () -> CredentialActivation.activate(tpm, ak, ek, cred));
            assertTrue(e.getMessage().contains("this TPM's rsa EK"), e.getMessage());
            CredentialFile good = CredentialMaker.make(ek.publicKey(), EkTemplate.RSA_2048, ak.name(), SECRET);
            assertArrayEquals(SECRET, CredentialActivation.activate(tpm, ak, ek, good));
        } finally {
            keys.unload(ak);
        }
    }

    @Test
    void malformedCredentialFilesAndArgumentsAreRefused() {
        CredentialFile cred = new CredentialFile(new byte[70], new byte[256]);
        byte[] bytes = cred.toBytes();
        assertThrows(TpmFormatException.class, () -> CredentialFile.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(TpmFormatException.class, () -> CredentialFile.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] magic = bytes.clone();
        magic[0] = 0;
        assertTrue(assertThrows(TpmFormatException.class, () -> CredentialFile.fromBytes(magic)).getMessage()
                .contains("0xbadcc0de"));
        assertThrows(TpmFormatException.class, () -> CredentialFile.fromBytes(new byte[0]));
        try (EndorsementKey ek = EndorsementKey.create(tpm, EkTemplate.ECC_P256)) {
            assertThrows(IllegalArgumentException.class, () -> CredentialMaker.make(ek.publicKey(),
                    EkTemplate.ECC_P256, new byte[] {0, 0x0b, 1}, SECRET));
            assertThrows(IllegalArgumentException.class, () -> CredentialMaker.make(ek.publicKey(),
                    EkTemplate.ECC_P256, new byte[34], new byte[33]));
        }
    }

    @ParameterizedTest
    @CsvSource({"rsa, RSA_2048", "ecc, ECC_P256"})
    void toolsAndTpmauthExchangeCredentialFilesBothWays(String toolType, EkTemplate template) throws Exception {
        Path work = SWTPM.workDir();
        TpmKey ak = keys.persist(keys.load(ecAkFile, null), AK_HANDLE);
        byte[] akName = ak.name();
        try {
            try (EndorsementKey ek = EndorsementKey.create(tpm, template)) {
                Files.writeString(work.resolve("ek.pem"), PublicKeys.toPem(ek.publicKey()));
                Files.write(work.resolve("ours.cred"),
                        CredentialMaker.make(ek.publicKey(), template, akName, SECRET).toBytes());
            }
            keys.close(); // swtpm has three object slots and no resource manager
            Files.write(work.resolve("secret.bin"), SECRET);
            Tools.run(SWTPM, "tpm2_flushcontext", "-l");
            Tools.run(SWTPM, "tpm2_makecredential", "-T", "none", "-G", toolType, "-u", "ek.pem", "-s", "secret.bin",
                    "-n", HexFormat.of().formatHex(akName), "-o", "tools.cred");
            // tpm2_activatecredential recovers what tpmauth made
            Tools.run(SWTPM, "tpm2_createek", "-c", "ek.ctx", "-G", toolType);
            Tools.run(SWTPM, "tpm2_startauthsession", "--policy-session", "-S", "session.ctx");
            Tools.run(SWTPM, "tpm2_policysecret", "-S", "session.ctx", "-c", "e");
            Tools.run(SWTPM, "tpm2_activatecredential", "-c", TpmHandles.hex(AK_HANDLE), "-C", "ek.ctx",
                    "-i", "ours.cred", "-o", "out.bin", "-P", "session:session.ctx");
            Tools.run(SWTPM, "tpm2_flushcontext", "session.ctx");
            Tools.run(SWTPM, "tpm2_flushcontext", "-t");
            assertArrayEquals(SECRET, Files.readAllBytes(work.resolve("out.bin")));
            // tpmauth recovers what tpm2_makecredential made
            try (EndorsementKey ek = EndorsementKey.create(tpm, template)) {
                CredentialFile tools = CredentialFile.fromBytes(Files.readAllBytes(work.resolve("tools.cred")));
                assertArrayEquals(SECRET, CredentialActivation.activate(tpm, ak, ek, tools));
            }
        } finally {
            keys.evict(AK_HANDLE);
        }
    }

    @Test
    void theAkCertifiesATpmauthKeyAndTheVerifierChecksIt() {
        TpmKey ak = keys.load(ecAkFile, null);
        TpmKey key = keys.load(keys.create(KeyAlgorithm.RSA_2048, new byte[0], TpmHandles.RH_OWNER), null);
        try {
            byte[] nonce = HexFormat.of().parseHex("0011223344556677");
            KeyCertification.Evidence ev = KeyCertification.certify(tpm, key, ak, nonce);
            assertEquals(List.of(), KeyCertification.verify(ak.publicArea(), key.publicArea(), ev, nonce));

            List<Failure> wrongNonce = KeyCertification.verify(ak.publicArea(), key.publicArea(), ev, new byte[8]);
            assertEquals(List.of("nonce"), wrongNonce.stream().map(Failure::check).toList());
            List<Failure> otherKey = KeyCertification.verify(ak.publicArea(), ak.publicArea(), ev, nonce);
            assertEquals(List.of("name"), otherKey.stream().map(Failure::check).toList());
            List<Failure> foreignAk = KeyCertification.verify(key.publicArea(), key.publicArea(), ev, nonce);
            assertEquals(List.of("signature"), foreignAk.stream().map(Failure::check).toList());
            byte[] tampered = ev.certifyInfo().clone();
            tampered[tampered.length - 1] ^= 1;
            assertTrue(KeyCertification.verify(ak.publicArea(), key.publicArea(),
                    new KeyCertification.Evidence(tampered, ev.signature()), nonce).stream()
                    .anyMatch(f -> f.check().equals("signature")));
        } finally {
            keys.unload(key);
            keys.unload(ak);
        }
    }

    @Test
    void theAkTemplateIsAnAttestationKey() {
        for (KeyAlgorithm a : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048)) {
            AttestationKeys.requireAttestationKey(AttestationKeys.template(a));
        }
        assertEquals(0x00050072, AttestationKeys.template(KeyAlgorithm.EC_P256).objectAttributes());
        assertThrows(IllegalArgumentException.class, () -> AttestationKeys.requireAttestationKey(
                org.tpmauth.tss.keys.KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false)));
    }
}
