package org.tpmauth.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.tpmauth.attestation.credential.CredentialActivation;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.attestation.refstate.RefStates;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsAuthenticator;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.eap.InMemoryEap;
import org.tpmauth.eap.PeerPolicy;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.vpn.wireguard.SealedWireGuardKey;
import org.tpmauth.vpn.wireguard.WireGuardKey;

/**
 * The embedded demo's story, on two simulated machines with their own in-process TPMs and a network
 * in this process: a machine is born (EK certificate, a real boot log replayed), enrolls (attestation,
 * credential activation, a short-lived certificate), joins networks with its TPM key (EAP-TLS, a
 * WireGuard key sealed to its boot state), then boots a different bootloader and every door closes
 * with its reason, while a healthy machine still gets in.
 */
public final class StoryDemo {
    /** The PCRs a quote covers: those the boot log measures. */
    private static final String QUOTED = "sha256:0-9";
    private static final Duration LIFETIME = Duration.ofHours(8);

    private final Path dir;
    private final Path out;
    private final DemoReport report;
    /** The machine whose TPM is in this process now, for {@link #stop}. */
    private volatile SimulatedMachine current;
    private volatile boolean stopped;

    /**
     * @param dir      where the machines keep their TPM state and key files
     * @param out      where machine-a's files go for the reader to inspect (null: nowhere)
     * @param progress receives a line per step as it runs
     */
    public StoryDemo(Path dir, Path out, PrintStream progress) {
        this.dir = dir;
        this.out = out;
        this.report = new DemoReport(progress);
    }

    /** The number of steps in the story. */
    public static final int STEPS = 13;

    /**
     * Runs the story; the report says whether every step behaved as the story says. A step that did not
     * ends the story there, as the later ones build on it.
     */
    public DemoReport run() throws Exception {
        try {
            story();
        } catch (DemoReport.StepFailedException e) {
            // recorded in the report
        }
        return report;
    }

    /**
     * Powers off the machine whose TPM is running (for Ctrl-C: the TPM state is saved and nothing keeps
     * the state directory open, so it can be removed).
     */
    public void stop() {
        stopped = true;
        SimulatedMachine m = current;
        if (m != null) {
            m.halt();
        }
    }

    private void story() throws Exception {
        List<TpmsPcrSelection> quoted = PcrSelections.parse(QUOTED);
        SimulatedBoot goodBoot = SimulatedBoot.ubuntu();
        SimulatedBoot otherBootloader = goodBoot.withOtherBootloader();
        ThrowawayCa manufacturer = new ThrowawayCa("Example TPM Manufacturer EK Root (throwaway)");
        ThrowawayCa networkCa = new ThrowawayCa("tpmauth demo network CA");
        EnrollmentDesk desk = new EnrollmentDesk(manufacturer.certificate(),
                RefStates.fromLog(goodBoot.parsed(), Set.of(0)), quoted, networkCa, LIFETIME);
        TlsIdentity authenticator = softwareIdentity(networkCa, "radius.demo.example", KeyPurposeId.id_kp_serverAuth);

        report.keyLives("manufacturer and network CA keys, the authenticator's key", "software, in this process "
                + "(throwaway)");
        try (SimulatedMachine a = new SimulatedMachine("machine-a", dir.resolve("machine-a"))) {
            current = a;
            report.chapter("1. A machine is born");
            Enrolled enrolled = bornAndEnrolled(a, goodBoot, manufacturer, desk, quoted,
                    "2. machine-a enrolls: the network checks which TPM it is and what it booted");
            report.keyLives("machine-a: EK, attestation key, network key", "machine-a's TPM; the key files hold "
                    + "them wrapped by that TPM, useless elsewhere");
            save("machine-a-key.pem", a.networkKeyFile().toPem());
            save("machine-a.crt", Certificates.toPem(enrolled.certificate()));
            save("network-ca.crt", Certificates.toPem(networkCa.certificate()));
            save("manufacturer-root.crt", Certificates.toPem(manufacturer.certificate()));

            report.chapter("3. machine-a joins networks with its TPM key");
            joinEap(a, enrolled, networkCa, authenticator);
            Tss2KeyFile sealed = report.step(a, "WireGuard key sealed to the boot state (PCRs " + QUOTED + ") and "
                    + "unsealed by the TPM", () -> {
                        Tss2KeyFile file = SealedWireGuardKey.seal(new Sealing(a.keys()), WireGuardKey.generate(),
                                new byte[0], quoted, null);
                        WireGuardKey key = SealedWireGuardKey.unseal(new Sealing(a.keys()), file, new byte[0]);
                        String pub = key.publicKey();
                        key.destroy();
                        return new DemoReport.Done<>(file, "public key " + pub + " (the private key exists only "
                                + "inside the TPM until this boot state asks for it)");
                    });
            save("machine-a-wireguard.sealed", sealed.toPem());
            report.keyLives("machine-a: WireGuard private key", "sealed in machine-a's TPM, released only in the "
                    + "boot state it was sealed to");
            report.step(a, "Certificate renewed: a fresh quote and the event log checked again", () -> {
                EnrollmentDesk.Outcome o = renew(a, enrolled, desk, quoted, goodBoot);
                if (!o.ok()) {
                    throw new IllegalStateException("renewal refused: " + o.reason());
                }
                return new DemoReport.Done<>(o, "new certificate valid until " + o.certificate().getNotAfter());
            });

            report.chapter("4. machine-a boots a different bootloader");
            a.close();
            report.step(a, "machine-a restarts; its firmware measures another bootloader into PCR 4", () -> {
                a.powerOn();
                int events = a.boot(otherBootloader);
                byte[] pcr4 = pcr(a, 4);
                return new DemoReport.Done<>(events, events + " events replayed; PCR 4 is now "
                        + HexFormat.of().formatHex(pcr4, 0, 8) + "...");
            });
            report.step(a, "Renewal refused, naming the event that broke the reference state", () -> {
                EnrollmentDesk.Outcome o = renew(a, enrolled, desk, quoted, otherBootloader);
                if (o.ok()) {
                    throw new IllegalStateException("the door stayed open: the renewal was granted");
                }
                return new DemoReport.Done<>(o, "refused: " + o.reason());
            });
            report.step(a, "WireGuard key stays sealed: the TPM refuses to unseal it in this boot state", () -> {
                try {
                    SealedWireGuardKey.unseal(new Sealing(a.keys()), sealed, new byte[0]).destroy();
                } catch (TpmResponseException e) {
                    return new DemoReport.Done<>(e, "refused by the TPM: " + e.getMessage());
                }
                throw new IllegalStateException("the door stayed open: the key was unsealed");
            });
        }
        try (SimulatedMachine b = new SimulatedMachine("machine-b", dir.resolve("machine-b"))) {
            current = b;
            if (stopped) {
                return;
            }
            report.chapter("5. machine-b, healthy, is born, enrolls and gets in");
            Enrolled enrolled = bornAndEnrolled(b, goodBoot, manufacturer, desk, quoted, null);
            joinEap(b, enrolled, networkCa, authenticator);
        }
    }

    /** What enrollment leaves on the machine. */
    private record Enrolled(TpmKey ak, TpmKey key, X509Certificate certificate) {
    }

    /** @param enrollmentChapter the chapter heading before enrollment, or null for none */
    private Enrolled bornAndEnrolled(SimulatedMachine m, SimulatedBoot boot, ThrowawayCa manufacturer,
            EnrollmentDesk desk, List<TpmsPcrSelection> quoted, String enrollmentChapter) throws Exception {
        X509Certificate ekCert = report.step(m, m.name() + ": EK created in the TPM; its manufacturer's certificate "
                + "written to NV 0x01c0000a", () -> {
                    m.powerOn();
                    X509Certificate c = m.manufacture(manufacturer);
                    return new DemoReport.Done<>(c, "EK certificate by " + c.getIssuerX500Principal().getName());
                });
        report.step(m, "Boot simulated: " + boot.name() + " replayed into the PCRs", () -> {
            m.close();
            m.powerOn();
            int events = m.boot(boot);
            return new DemoReport.Done<>(events, events + " measured events (said to be simulated: no firmware ran)");
        });
        if (enrollmentChapter != null) {
            report.chapter(enrollmentChapter);
        }
        TpmKey ak = m.attestationKey();
        TpmKey key = m.machineKey();
        return report.step(m, "Enrollment: EK certificate, attestation key, key certification, quote and event log "
                + "checked; credential activated by this TPM; certificate issued for " + LIFETIME.toHours() + " h", () -> {
                    byte[] nonce = desk.nonce();
                    EnrollmentDesk.Request request = new EnrollmentDesk.Request(ekCert, m.endorsementKey().publicKey(),
                            ak.publicArea(), key.publicArea(), KeyCertification.certify(m.tpm(), key, ak, nonce),
                            Quoter.quote(m.tpm(), ak, nonce, quoted, boot.log()), m.name() + ".demo.example");
                    EnrollmentDesk.Outcome o = desk.enroll(request, nonce,
                            credential -> CredentialActivation.activate(m.tpm(), ak, m.endorsementKey(), credential));
                    if (!o.ok()) {
                        throw new IllegalStateException("enrollment refused: " + o.reason());
                    }
                    return new DemoReport.Done<>(new Enrolled(ak, key, o.certificate()), "certificate "
                            + o.certificate().getSubjectX500Principal().getName() + " until "
                            + o.certificate().getNotAfter());
                });
    }

    private void joinEap(SimulatedMachine m, Enrolled enrolled, ThrowawayCa networkCa, TlsIdentity authenticator)
            throws Exception {
        report.step(m, "802.1X EAP-TLS (TLS 1.3) with the TPM key, to the network's authenticator", () -> {
            EapTlsConfig config = new EapTlsConfig(EnumSet.of(EapTlsConfig.TlsVersion.TLS_1_3),
                    EapTlsConfig.DEFAULT_FRAGMENT_SIZE, EapTlsConfig.DEFAULT_MAX_MESSAGE_SIZE);
            TlsIdentity client = new TlsIdentity(TpmPrivateKey.of(m.keys(), enrolled.key()),
                    List.of(enrolled.certificate()));
            InMemoryEap.Outcome o = InMemoryEap.run(
                    new EapTlsPeer(m.name(), client, List.of(networkCa.certificate()), config),
                    new EapTlsAuthenticator(authenticator, List.of(networkCa.certificate()), config, PeerPolicy.ACCEPT_ALL));
            if (!(o.peer() instanceof EapResult.Success peer) || !(o.authenticator() instanceof EapResult.Success auth)) {
                throw new IllegalStateException("EAP-TLS failed: peer " + o.peer() + ", authenticator " + o.authenticator());
            }
            if (!java.util.Arrays.equals(peer.keys().msk(), auth.keys().msk())) {
                throw new IllegalStateException("the two sides derived different MSKs");
            }
            return new DemoReport.Done<>(o, "EAP-Success; both sides hold the same " + peer.keys().msk().length
                    + "-byte MSK for the link's encryption");
        });
    }

    private static EnrollmentDesk.Outcome renew(SimulatedMachine m, Enrolled enrolled, EnrollmentDesk desk,
            List<TpmsPcrSelection> quoted, SimulatedBoot boot) throws Exception {
        byte[] nonce = desk.nonce();
        TpmKey ak = m.attestationKey();
        Evidence quote = Quoter.quote(m.tpm(), ak, nonce, quoted, boot.log());
        return desk.renew(ak.publicArea(), enrolled.key().publicArea(), quote, nonce, m.name() + ".demo.example");
    }

    /** Writes one of machine-a's files to {@code out}, if given; the key file for its owner only. */
    private void save(String name, String content) throws java.io.IOException {
        if (out == null) {
            return;
        }
        java.nio.file.Files.createDirectories(out);
        Path file = out.resolve(name);
        java.nio.file.Files.writeString(file, content);
        if (name.endsWith("-key.pem") || name.endsWith(".sealed")) {
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions
                    .fromString("rw-------"));
        }
    }

    private static byte[] pcr(SimulatedMachine m, int index) {
        return PcrRead.readAll(m.tpm(), PcrSelections.parse("sha256:" + index)).digests().get(TpmAlg.SHA256)
                .get(index);
    }

    private static TlsIdentity softwareIdentity(ThrowawayCa ca, String name, KeyPurposeId purpose) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        return new TlsIdentity(pair.getPrivate(), List.of(ca.issue(new X500Name("CN=" + name), pair.getPublic(),
                Duration.ofDays(1), purpose)));
    }
}
