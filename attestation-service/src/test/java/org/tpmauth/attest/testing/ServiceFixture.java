package org.tpmauth.attest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tpmauth.attest.client.ServiceClient;
import org.tpmauth.attest.service.AttestationServer;
import org.tpmauth.attest.service.CertificateAuthority;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attest.service.Pem;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.LogPlayback;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStates;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;

/**
 * The parts of an attestation service test: a CA, the service's TLS identity from it, a real boot log
 * (replayed into a TPM with {@link #boot}) and its reference state, and servers on 127.0.0.1.
 */
public final class ServiceFixture {
    /** A real boot log (Ubuntu 21.04 on GCE, sha1 and sha256 digests). */
    public static final String LOG = "go-tpm-tools/ubuntu-2104-no-secure-boot.bin";

    public final Path dir;
    public final TestCa ca = TestCa.root("tpmauth attestation test CA");
    public final TlsIdentity serverTls;
    public final byte[] log;
    public final EventLog parsedLog;
    public final RefState refState;
    public final Path caPem;

    public ServiceFixture(Path dir) {
        this(dir, RealLogs.read(LOG));
    }

    /** A fixture whose machine boots with {@code log} (a crypto-agile log with sha1 and sha256 digests). */
    public ServiceFixture(Path dir, byte[] log) {
        this.dir = dir;
        this.log = log;
        parsedLog = EventLog.parse(log);
        refState = refState(parsedLog);
        KeyPair serverKey = ecKeyPair();
        serverTls = new TlsIdentity(serverKey.getPrivate(), List.of(new CertificateAuthority(ca.key(), ca.certificate(),
                Duration.ofDays(1), null).issueMachine(serverKey.getPublic(), "localhost", "servers")));
        caPem = dir.resolve("ca.pem");
        try {
            Files.writeString(caPem, Pem.encode(ca.certificate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference state of a machine that boots with {@code log}: PCRs 0, 2 and 4 as the log has them. */
    static RefState refState(EventLog log) {
        return RefStates.fromLog(log, Set.of(0, 2, 4));
    }

    /** Extends every measured event of the log into the TPM's sha1 and sha256 banks, as firmware would. */
    public void boot(Tpm tpm) {
        LogPlayback.extendInto(tpm, parsedLog, Set.of(TpmAlg.SHA1, TpmAlg.SHA256));
    }

    /**
     * Makes a test's swtpm a booted machine's TPM: manufactured with EK certificates ({@link EkProvisioning}), the
     * log extended into its PCRs, then disconnected so that other programs (the CLI, tpm2-tools) can use it.
     */
    public EkProvisioning manufactureAndBoot(SwtpmExtension swtpm) {
        EkProvisioning manufacturer = EkProvisioning.manufacture(swtpm);
        try (Tpm tpm = new Tpm(swtpm.openTpm().tcti(), true)) {
            boot(tpm);
        }
        swtpm.disconnect();
        return manufacturer;
    }

    /** A service on 127.0.0.1 with the given database, EK roots and certificate lifetime. */
    public AttestationServer start(Database db, Path ekRoots, Duration lifetime) throws IOException, SQLException {
        return start(db, ekRoots, lifetime, List.of());
    }

    /** A service on 127.0.0.1 whose operator pages open for certificates of {@code operatorCas}. */
    public AttestationServer start(Database db, Path ekRoots, Duration lifetime, List<X509Certificate> operatorCas)
            throws IOException, SQLException {
        return AttestationServer.start(settings(serverTls, ca.key(), ca.certificate(), ekRoots, refState, db, lifetime,
                operatorCas));
    }

    /** A service on 127.0.0.1, any free port, for the "default" device group of {@code refState}. */
    static AttestationServer.Settings settings(TlsIdentity tls, PrivateKey caKey, X509Certificate caCert, Path ekRoots,
            RefState refState, Database db, Duration lifetime, List<X509Certificate> operatorCas) throws IOException {
        return new AttestationServer.Settings(InetAddress.getLoopbackAddress(), 0, tls, caKey, caCert, lifetime, null,
                EkCertificateVerifier.fromDirectory(ekRoots), Map.of("default", refState), db, null, Duration.ofMinutes(5),
                operatorCas);
    }

    public ServiceClient client(AttestationServer server) {
        return client(server.port());
    }

    /** A client of this fixture's service listening on 127.0.0.1:{@code port}. */
    public ServiceClient client(int port) {
        return new ServiceClient(URI.create("https://127.0.0.1:" + port), List.of(ca.certificate()));
    }

    /** The URL of a certificate's first CRL distribution point. */
    public static String crlUrl(java.security.cert.X509Certificate cert) {
        var points = org.bouncycastle.asn1.x509.CRLDistPoint.getInstance(org.bouncycastle.asn1.ASN1OctetString
                .getInstance(cert.getExtensionValue("2.5.29.31")).getOctets()).getDistributionPoints();
        var names = org.bouncycastle.asn1.x509.GeneralNames.getInstance(points[0].getDistributionPoint().getName());
        return org.bouncycastle.asn1.ASN1IA5String.getInstance(names.getNames()[0].getName()).getString();
    }

    public static KeyPair ecKeyPair() {
        return TestCa.ecKeyPair();
    }
}
