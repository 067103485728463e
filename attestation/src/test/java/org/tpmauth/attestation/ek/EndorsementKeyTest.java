package org.tpmauth.attestation.ek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tpmauth.attestation.ek.EkVerdict.Status;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/** EKs recreated from the profile templates on a swtpm manufactured with EK certificates. */
class EndorsementKeyTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static EkProvisioning manufacturer;
    private static EkCertificateVerifier verifier;

    @BeforeAll
    static void manufacture() throws Exception {
        manufacturer = EkProvisioning.manufacture(SWTPM);
        verifier = EkCertificateVerifier.fromDirectory(manufacturer.caDirectory());
    }

    private static Tpm tpm() {
        return SWTPM.tpm();
    }

    @ParameterizedTest
    @EnumSource(EkTemplate.class)
    void theCertificateInNvCertifiesTheRecreatedEkAndChainsToTheRoot(EkTemplate template) {
        try (EndorsementKey ek = EndorsementKey.create(tpm(), template)) {
            X509Certificate cert = ek.certificate().orElseThrow();
            EkVerdict verdict = verifier.verify(cert, ek.publicKey());
            assertEquals(Status.VALID, verdict.status(), verdict.message());
            assertEquals(3, verdict.chain().size(), "leaf, swtpm-localca, swtpm-localca-rootca");
        }
    }

    @Test
    void theSameTemplateGivesTheSameKey() {
        byte[] first;
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.ECC_P256)) {
            first = ek.publicArea().name();
        }
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.ECC_P256)) {
            assertArrayEquals(first, ek.publicArea().name());
        }
    }

    @ParameterizedTest
    @EnumSource(value = EkTemplate.class, names = {"RSA_2048", "ECC_P256"})
    void theKeyEqualsTpm2CreateekOfTheSameProfileTemplate(EkTemplate template) throws Exception {
        PublicKey ours;
        try (EndorsementKey ek = EndorsementKey.create(tpm(), template)) {
            ours = ek.publicKey();
        }
        // swtpm has three session slots and no resource manager: free the ones our secure sessions hold
        Tools.run(SWTPM, "tpm2_flushcontext", "-l");
        Tools.run(SWTPM, "tpm2_flushcontext", "-s");
        Tools.run(SWTPM, "tpm2_createek", "-c", "ek.ctx", "-G", template.cliName(), "-u", "ek.pub", "-f", "pem");
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        Tools.run(SWTPM, "tpm2_flushcontext", "-s");
        String pem = Files.readString(SWTPM.workDir().resolve("ek.pub"));
        assertEquals(pem(ours), pem.replace("\r", ""), "tpm2_createek made another key");
    }

    @Test
    void aForeignRootOfTheSameNameIsAnUnknownIssuer(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        TestCa foreignRoot = TestCa.root("swtpm-localca-rootca");
        Files.write(dir.resolve("root.der"), foreignRoot.certificate().getEncoded());
        Files.copy(manufacturer.caDirectory().resolve("issuercert.pem"), dir.resolve("intermediate.pem"));
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.RSA_2048)) {
            EkVerdict verdict = EkCertificateVerifier.fromDirectory(dir).verify(ek.certificate().orElseThrow(),
                    ek.publicKey());
            assertEquals(Status.UNKNOWN_ISSUER, verdict.status(), verdict.message());
            assertTrue(verdict.message().contains("foreign CA"), verdict.message());
        }
    }

    @Test
    void withoutTheIntermediateTheIssuerIsUnknown(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.copy(manufacturer.caDirectory().resolve("swtpm-localca-rootca-cert.pem"), dir.resolve("root.pem"));
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.RSA_2048)) {
            EkVerdict verdict = EkCertificateVerifier.fromDirectory(dir).verify(ek.certificate().orElseThrow(),
                    ek.publicKey());
            assertEquals(Status.UNKNOWN_ISSUER, verdict.status(), verdict.message());
            assertTrue(verdict.message().contains("CN=swtpm-localca"), verdict.message());
        }
    }

    @Test
    void anotherEksCertificateIsAKeyMismatch() {
        X509Certificate rsaCert;
        try (EndorsementKey rsa = EndorsementKey.create(tpm(), EkTemplate.RSA_2048)) {
            rsaCert = rsa.certificate().orElseThrow();
        }
        try (EndorsementKey ecc = EndorsementKey.create(tpm(), EkTemplate.ECC_P256)) {
            EkVerdict verdict = verifier.verify(rsaCert, ecc.publicKey());
            assertEquals(Status.KEY_MISMATCH, verdict.status(), verdict.message());
        }
    }

    @Test
    void anExpiredCertificateIsExpiredAndOneNotYetValidSaysSo() {
        TestCa ca = manufacturer.intermediate();
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.ECC_P256)) {
            X509Certificate expired = ca.issueEk(ek.publicKey(), 77, TestCa.from(-30), TestCa.from(-1));
            EkVerdict verdict = verifier.verify(expired, ek.publicKey());
            assertEquals(Status.EXPIRED, verdict.status(), verdict.message());
            assertTrue(verdict.message().contains("serial 4d"), verdict.message());
            X509Certificate future = ca.issueEk(ek.publicKey(), 78, TestCa.from(10), TestCa.from(20));
            assertEquals(Status.NOT_YET_VALID, verifier.verify(future, ek.publicKey()).status());
        }
    }

    @Test
    void emptySubjectCriticalSanAndCriticalTcgExtensionsAreAccepted() {
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.ECC_P256)) {
            X509Certificate cert = ek.certificate().orElseThrow(); // issued by TestCa.issueEk
            assertEquals("", cert.getSubjectX500Principal().getName());
            assertTrue(cert.getCriticalExtensionOIDs().contains("2.23.133.99.1"));
            assertEquals(Status.VALID, verifier.verify(cert, ek.publicKey()).status());
        }
    }

    @Test
    void aThrowawayCaIsTrustedOnlyWhenItsRootIsInTheDirectory(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        TestCa root = TestCa.root("throwaway EK root");
        try (EndorsementKey ek = EndorsementKey.create(tpm(), EkTemplate.RSA_2048)) {
            X509Certificate cert = root.issueEk(ek.publicKey(), 5);
            assertEquals(Status.UNKNOWN_ISSUER, verifier.verify(cert, ek.publicKey()).status());
            Files.writeString(dir.resolve("roots.pem"), pem(root.certificate()));
            assertEquals(Status.VALID, EkCertificateVerifier.fromDirectory(dir).verify(cert, ek.publicKey()).status());
        }
    }

    @Test
    void anIndexWithoutACertificateIsEmptyAndGarbageIsRefused() {
        assertTrue(EndorsementKey.readCertificate(tpm(), 0x01C0001C).isEmpty());
        EkProvisioning.writeNv(tpm(), 0x01C0001E, "not a certificate".getBytes());
        EkCertificateException e = assertThrows(EkCertificateException.class,
                () -> EndorsementKey.readCertificate(tpm(), 0x01C0001E));
        assertTrue(e.getMessage().contains("0x01c0001e"), e.getMessage());
    }

    private static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }

    private static String pem(PublicKey k) {
        return org.tpmauth.tss.keys.PublicKeys.toPem(k);
    }
}
