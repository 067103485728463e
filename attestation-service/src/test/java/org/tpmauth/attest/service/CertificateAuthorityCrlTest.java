package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.testing.Tools;

/** CRLs as OpenSSL-based servers (FreeRADIUS, hostapd, ocserv) pick them from a hashed directory. */
class CertificateAuthorityCrlTest {
    @TempDir
    Path dir;

    @Test
    void aCrlIssuedInTheSecondOfARevocationStillWinsOverTheOneBeforeIt() throws Exception {
        TestCa root = TestCa.root("machine CA");
        CertificateAuthority ca = new CertificateAuthority(root.key(), root.certificate(), Duration.ofHours(2), null);
        X509Certificate machine = ca.issueMachine(ServiceFixture.ecKeyPair().getPublic(), "tpm-stolen", "default");
        ca.crl(List.of()); // the first CRL loads and compiles the signing code: not inside the second below
        // the CRL a server already holds, the revocation and the new CRL all fall in one second unless the CA waits
        X509CRL before;
        Instant revoked;
        int attempts = 0;
        do {
            Thread.sleep(1000 - Instant.now().toEpochMilli() % 1000 + 5);
            before = ca.crl(List.of());
            revoked = Instant.now();
        } while (before.getThisUpdate().toInstant().getEpochSecond() != revoked.getEpochSecond() && ++attempts < 10);
        assertEquals(before.getThisUpdate().toInstant().getEpochSecond(), revoked.getEpochSecond(), "setup: same second");
        Instant revokedAt = revoked;
        X509CRL after = ca.crl(List.of(new Database.RevokedSerial(machine.getSerialNumber(), revoked)));
        assertTrue(after.getThisUpdate().toInstant().getEpochSecond() > revokedAt.getEpochSecond(),
                () -> "thisUpdate " + after.getThisUpdate().toInstant() + ", revoked " + revokedAt);

        Path hashed = Files.createDirectory(dir.resolve("ca-path"));
        Path caPem = TestPki.writePem(dir.resolve("ca.pem"), root.certificate());
        String hash = Tools.capture(dir, Map.of(), "openssl", "x509", "-in", caPem.toString(), "-noout", "-hash").ok()
                .out().strip();
        Files.copy(caPem, hashed.resolve(hash + ".0"));
        TestPki.writePem(hashed.resolve(hash + ".r0"), before);
        TestPki.writePem(hashed.resolve(hash + ".r1"), after);
        Path cert = TestPki.writePem(dir.resolve("machine.pem"), machine);
        Tools.Output verified = Tools.capture(dir, Map.of(), "openssl", "verify", "-CApath", hashed.toString(),
                "-crl_check", cert.toString());
        assertTrue(verified.code() != 0 && (verified.out() + verified.err()).contains("certificate revoked"),
                verified.out() + verified.err());
    }

    @Test
    void aRevocationDatedAheadByAnotherInstancesClockDoesNotStallTheCrl() {
        TestCa root = TestCa.root("machine CA");
        CertificateAuthority ca = new CertificateAuthority(root.key(), root.certificate(), Duration.ofHours(2), null);
        X509Certificate machine = ca.issueMachine(ServiceFixture.ecKeyPair().getPublic(), "tpm-a", "default");
        ca.crl(List.of()); // loads and compiles the signing code before the timing
        long start = System.nanoTime();
        X509CRL crl = ca.crl(List.of(new Database.RevokedSerial(machine.getSerialNumber(),
                Instant.now().plusSeconds(30))));
        // waiting for that revocation's second would take 30 s; a loaded machine may take a few to sign
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "waited for a skewed clock");
        assertTrue(crl.isRevoked(machine));
    }
}
