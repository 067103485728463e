package org.tpmauth.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.tpmauth.attest.client.AttestedMqttClient;
import org.tpmauth.attest.client.AttestedTlsClient;
import org.tpmauth.attest.client.MqttRefusal;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.Renewer;
import org.tpmauth.attest.client.ServiceClient;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.attest.mqtt.AttestedMqttBroker;
import org.tpmauth.attest.service.AttestationServer;
import org.tpmauth.attest.service.AttestedTls;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStates;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsAuthenticator;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.eap.InMemoryEap;
import org.tpmauth.eap.PeerPolicy;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
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
 * in this process: a machine is born (EK certificate, a real boot log replayed), enrolls with the
 * attestation service (credential activation, a short-lived certificate), joins networks with its TPM
 * key (EAP-TLS, TLS with evidence bound to the connection, MQTT 5 to the embedded broker with evidence
 * in CONNECT, a WireGuard key sealed to its boot state), then boots a different bootloader and every
 * door closes with its reason, while a healthy machine still gets in.
 */
public final class StoryDemo {
    /** The number of steps in the story. */
    public static final int STEPS = 18;
    /** The PCRs a quote covers: those the boot log measures. */
    private static final String QUOTED = "sha256:0-9";
    private static final Duration LIFETIME = Duration.ofHours(8);
    private static final String GROUP = "demo";

    private final Path dir;
    private final Path out;
    private final DemoReport report;
    /** The machine whose TPM is in this process now, for {@link #stop}. */
    private volatile SimulatedMachine current;
    private volatile AttestationServer server;
    /** The MQTT broker, starting in the background while the first machine is born. */
    private volatile CompletableFuture<AttestedMqttBroker> broker;
    private volatile boolean stopped;

    /**
     * @param dir      where the machines keep their TPM state and key files, and the service its records
     * @param out      where machine-a's files go for the reader to inspect (null: nowhere)
     * @param progress receives a line per step as it runs
     */
    public StoryDemo(Path dir, Path out, PrintStream progress) {
        this.dir = dir;
        this.out = out;
        this.report = new DemoReport(progress);
    }

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
     * Powers off the machine whose TPM is running and stops the service (for Ctrl-C: the TPM state is
     * saved and nothing keeps the state directory open, so it can be removed).
     */
    public void stop() {
        stopped = true;
        SimulatedMachine m = current;
        if (m != null) {
            m.halt();
        }
        AttestationServer s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // stopping anyway
            }
        }
        CompletableFuture<AttestedMqttBroker> b = broker;
        if (b != null) {
            b.thenAccept(StoryDemo::closeQuietly);
        }
    }

    private static void closeQuietly(AttestedMqttBroker b) {
        try {
            b.close();
        } catch (IOException e) {
            // stopping anyway
        }
    }

    /** What the network runs: the attestation service, and who it trusts. */
    private record Network(ThrowawayCa manufacturer, ThrowawayCa ca, RefState reference, ServiceClient service,
            TlsIdentity authenticator, TlsIdentity attestedServer, List<TpmsPcrSelection> quoted,
            CompletableFuture<AttestedMqttBroker> broker) {
    }

    /** What enrollment leaves on the machine besides its key files: the certificates. */
    private record Enrolled(X509Certificate certificate, X509Certificate akCertificate) {
    }

    private void story() throws Exception {
        List<TpmsPcrSelection> quoted = PcrSelections.parse(QUOTED);
        SimulatedBoot goodBoot = SimulatedBoot.ubuntu();
        SimulatedBoot otherBootloader = goodBoot.withOtherBootloader();
        ThrowawayCa manufacturer = new ThrowawayCa("Example TPM Manufacturer EK Root (throwaway)");
        ThrowawayCa networkCa = new ThrowawayCa("tpmauth demo network CA");
        RefState reference = RefStates.fromLog(goodBoot.parsed(), Set.of(0));
        Files.createDirectories(dir.resolve("attestation-service"));
        TlsIdentity brokerTls = softwareIdentity(networkCa, "mqtt.demo.example", KeyPurposeId.id_kp_serverAuth);
        broker = CompletableFuture.supplyAsync(() -> {
            try {
                return AttestedMqttBroker.start(new AttestedMqttBroker.Settings(InetAddress.getLoopbackAddress(), 0,
                        brokerTls, new CertificateCheck(List.of(networkCa.certificate())), reference,
                        dir.resolve("mqtt-broker"), line -> { }));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (Database records = Database.open(dir.resolve("attestation-service").resolve("records").toString())) {
            server = AttestationServer.start(new AttestationServer.Settings(InetAddress.getLoopbackAddress(), 0,
                    softwareIdentity(networkCa, "127.0.0.1", KeyPurposeId.id_kp_serverAuth), networkCa.privateKey(),
                    networkCa.certificate(), LIFETIME, null,
                    new EkCertificateVerifier(List.of(manufacturer.certificate()), List.of()),
                    Map.of(GROUP, reference), records, null, Duration.ofMinutes(5)));
            try (AttestationServer running = server) {
                ServiceClient service = new ServiceClient(URI.create("https://127.0.0.1:" + running.port()),
                        List.of(networkCa.certificate()));
                Network net = new Network(manufacturer, networkCa, reference, service,
                        softwareIdentity(networkCa, "radius.demo.example", KeyPurposeId.id_kp_serverAuth),
                        softwareIdentity(networkCa, "telemetry.demo.example", KeyPurposeId.id_kp_serverAuth), quoted,
                        broker);
                report.keyLives("manufacturer and network CA keys, the network's servers' keys",
                        "software, in this process (throwaway)");
                machineA(net, goodBoot, otherBootloader, running.port());
                if (!stopped) {
                    machineB(net, goodBoot);
                }
            } finally {
                broker.thenAccept(StoryDemo::closeQuietly);
            }
        }
    }

    private void machineA(Network net, SimulatedBoot goodBoot, SimulatedBoot otherBootloader, int servicePort)
            throws Exception {
        try (SimulatedMachine a = new SimulatedMachine("machine-a", dir.resolve("machine-a"))) {
            current = a;
            report.chapter("1. A machine is born");
            born(a, goodBoot, net);
            report.chapter("2. machine-a enrolls with the attestation service (HTTPS on 127.0.0.1:" + servicePort
                    + ", embedded database)");
            Enrolled enrolled = enroll(a, goodBoot, net);
            report.keyLives("machine-a: EK, attestation key, network key", "machine-a's TPM; the key files hold "
                    + "them wrapped by that TPM, useless elsewhere");
            save("machine-a-key.pem", a.networkKeyFile().toPem());
            save("machine-a.crt", Certificates.toPem(enrolled.certificate()));
            save("network-ca.crt", Certificates.toPem(net.ca().certificate()));
            save("manufacturer-root.crt", Certificates.toPem(net.manufacturer().certificate()));

            report.chapter("3. machine-a joins networks with its TPM key");
            joinEap(a, enrolled, net);
            report.step(a, "TLS with evidence bound to the connection: the server admits machine-a after checking "
                    + "a quote whose nonce is this connection's tls-exporter", () -> {
                        attestedTls(a, enrolled, net, goodBoot);
                        return new DemoReport.Done<>(true, "admitted: the quote, the event log and the reference "
                                + "state hold, and the quote was made for this very connection");
                    });
            report.step(a, "MQTT 5 to the embedded broker (HiveMQ CE) with evidence in CONNECT: its extension checks a "
                    + "quote bound to this connection's tls-exporter", () -> {
                        String delivered = mqtt(a, enrolled, net, goodBoot);
                        return new DemoReport.Done<>(delivered, "admitted; a reading published and delivered: "
                                + delivered);
                    });
            Tss2KeyFile sealed = report.step(a, "WireGuard key sealed to the boot state (PCRs " + QUOTED + ") and "
                    + "unsealed by the TPM", () -> {
                        Sealing sealing = new Sealing(a.keys());
                        Tss2KeyFile file = SealedWireGuardKey.seal(sealing, WireGuardKey.generate(), new byte[0],
                                net.quoted(), null);
                        WireGuardKey key = SealedWireGuardKey.unseal(sealing, file, new byte[0]);
                        String pub = key.publicKey();
                        key.destroy();
                        return new DemoReport.Done<>(file, "public key " + pub + " (the private key is released "
                                + "by the TPM only in this boot state)");
                    });
            save("machine-a-wireguard.sealed", sealed.toPem());
            report.keyLives("machine-a: WireGuard private key", "sealed in machine-a's TPM, released only in the "
                    + "boot state it was sealed to");
            report.step(a, "Certificate renewed over EST: a fresh quote, bound to the EST connection, checked again",
                    () -> {
                        X509Certificate renewed = renew(a, enrolled, net, goodBoot);
                        return new DemoReport.Done<>(renewed, "new certificate valid until " + renewed.getNotAfter());
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
            report.step(a, "Renewal refused by the attestation service, naming the event that broke the reference "
                    + "state", () -> {
                        try {
                            renew(a, enrolled, net, otherBootloader);
                        } catch (ServiceRefusal refusal) {
                            return new DemoReport.Done<>(refusal, "refused: " + verdict(refusal.getMessage()));
                        }
                        throw new IllegalStateException("the door stayed open: the renewal was granted");
                    });
            report.step(a, "TLS with bound evidence refused: the server names the broken rule", () -> {
                try {
                    attestedTls(a, enrolled, net, otherBootloader);
                } catch (ServiceRefusal refusal) {
                    return new DemoReport.Done<>(refusal, "refused: " + verdict(refusal.getMessage()));
                }
                throw new IllegalStateException("the door stayed open: the server admitted machine-a");
            });
            report.step(a, "MQTT connect refused: the broker's CONNACK says Not authorized, naming the broken rule",
                    () -> {
                        try {
                            mqtt(a, enrolled, net, otherBootloader);
                        } catch (MqttRefusal refusal) {
                            return new DemoReport.Done<>(refusal, "refused: " + MqttRefusal.name(refusal.reasonCode())
                                    + ": " + verdict(refusal.getMessage()));
                        }
                        throw new IllegalStateException("the door stayed open: the broker admitted machine-a");
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
    }

    private void machineB(Network net, SimulatedBoot goodBoot) throws Exception {
        try (SimulatedMachine b = new SimulatedMachine("machine-b", dir.resolve("machine-b"))) {
            current = b;
            report.chapter("5. machine-b, healthy, is born, enrolls and gets in");
            born(b, goodBoot, net);
            Enrolled enrolled = enroll(b, goodBoot, net);
            joinEap(b, enrolled, net);
            report.step(b, "MQTT 5 with evidence: the broker still admits the healthy machine", () -> {
                String delivered = mqtt(b, enrolled, net, goodBoot);
                return new DemoReport.Done<>(delivered, "admitted; a reading published and delivered: " + delivered);
            });
        }
    }

    private void born(SimulatedMachine m, SimulatedBoot boot, Network net) throws Exception {
        report.step(m, m.name() + ": EK created in the TPM; its manufacturer's certificate written to NV 0x01c0000a",
                () -> {
                    m.powerOn();
                    X509Certificate c = m.manufacture(net.manufacturer());
                    return new DemoReport.Done<>(c, "EK certificate by " + c.getIssuerX500Principal().getName());
                });
        report.step(m, "Boot simulated: " + boot.name() + " replayed into the PCRs", () -> {
            m.close();
            m.powerOn();
            int events = m.boot(boot);
            return new DemoReport.Done<>(events, events + " measured events (said to be simulated: no firmware ran)");
        });
    }

    private Enrolled enroll(SimulatedMachine m, SimulatedBoot boot, Network net) throws Exception {
        TpmKey ak = m.attestationKey();
        TpmKey key = m.machineKey();
        return report.step(m, "Enrollment: the service checks the EK certificate, the attestation key, the key's "
                + "certification, the quote and event log; this TPM activates its credential; certificate for "
                + LIFETIME.toHours() + " h", () -> {
                    Enroller.Result r = new Enroller(net.service()).enroll(m.tpm(), Enroller.ekCertificate(m.tpm()),
                            key, ak, GROUP, net.quoted(), boot.log());
                    return new DemoReport.Done<>(new Enrolled(r.certificate(), r.akCertificate()),
                            "certificate " + r.certificate().getSubjectX500Principal().getName() + " until "
                            + r.certificate().getNotAfter() + ", and an AK certificate");
                });
    }

    private void joinEap(SimulatedMachine m, Enrolled enrolled, Network net) throws Exception {
        report.step(m, "802.1X EAP-TLS (TLS 1.3) with the TPM key, to the network's authenticator", () -> {
            EapTlsConfig config = new EapTlsConfig(EnumSet.of(EapTlsConfig.TlsVersion.TLS_1_3),
                    EapTlsConfig.DEFAULT_FRAGMENT_SIZE, EapTlsConfig.DEFAULT_MAX_MESSAGE_SIZE);
            TlsIdentity client = new TlsIdentity(TpmPrivateKey.of(m.keys(), m.machineKey()),
                    List.of(enrolled.certificate()));
            List<X509Certificate> ca = List.of(net.ca().certificate());
            InMemoryEap.Outcome o = InMemoryEap.run(new EapTlsPeer(m.name(), client, ca, config),
                    new EapTlsAuthenticator(net.authenticator(), ca, config, PeerPolicy.ACCEPT_ALL));
            if (!(o.peer() instanceof EapResult.Success peer) || !(o.authenticator() instanceof EapResult.Success auth)) {
                throw new IllegalStateException("EAP-TLS failed: peer " + o.peer() + ", authenticator " + o.authenticator());
            }
            if (!Arrays.equals(peer.keys().msk(), auth.keys().msk())) {
                throw new IllegalStateException("the two sides derived different MSKs");
            }
            return new DemoReport.Done<>(o, "EAP-Success; both sides hold the same " + peer.keys().msk().length
                    + "-byte MSK for the link's encryption");
        });
    }

    /** One connection to a server that admits only machines whose evidence, bound to the connection, holds. */
    private static void attestedTls(SimulatedMachine m, Enrolled enrolled, Network net, SimulatedBoot boot)
            throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> serverSide = CompletableFuture.supplyAsync(() -> {
                try (Socket s = listener.accept();
                        BoundConnection c = AttestedTls.accept(s, net.attestedServer(),
                                new CertificateCheck(List.of(net.ca().certificate())), net.reference())) {
                    c.out().write("welcome\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    c.out().flush();
                    return "admitted";
                } catch (Exception e) {
                    return "refused: " + e.getMessage();
                }
            });
            TlsIdentity identity = new TlsIdentity(TpmPrivateKey.of(m.keys(), m.machineKey()),
                    List.of(enrolled.certificate()));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                    BoundConnection c = AttestedTlsClient.connect(socket, identity,
                            new CertificateCheck(List.of(net.ca().certificate())),
                            new AttestedTlsClient.Attester(m.tpm(), m.attestationKey(), enrolled.akCertificate(),
                                    net.quoted(), boot.log()))) {
                byte[] greeting = c.in().readNBytes(8);
                if (!"welcome\n".equals(new String(greeting, java.nio.charset.StandardCharsets.US_ASCII))) {
                    throw new IllegalStateException("the server admitted the connection but sent no greeting");
                }
            } finally {
                serverSide.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * One MQTT 5 connection to the broker with evidence for {@code boot}: subscribes to its own topic,
     * publishes a reading and returns it as delivered back by the broker.
     */
    private static String mqtt(SimulatedMachine m, Enrolled enrolled, Network net, SimulatedBoot boot) throws Exception {
        AttestedMqttBroker b = net.broker().get(60, TimeUnit.SECONDS);
        TlsIdentity identity = new TlsIdentity(TpmPrivateKey.of(m.keys(), m.machineKey()),
                List.of(enrolled.certificate()));
        String topic = "telemetry/" + m.name();
        try (TpmMqttClient client = AttestedMqttClient.connect("127.0.0.1", b.port(), m.name(), identity,
                new CertificateCheck(List.of(net.ca().certificate())), new AttestedTlsClient.Attester(m.tpm(),
                        m.attestationKey(), enrolled.akCertificate(), net.quoted(), boot.log()))) {
            java.util.concurrent.BlockingQueue<String> delivered = new java.util.concurrent.LinkedBlockingQueue<>();
            client.subscribe(topic, 1, (t, payload) -> delivered.add(t + " "
                    + new String(payload, java.nio.charset.StandardCharsets.UTF_8)));
            client.publish(topic, "21.5 C".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
            String message = delivered.poll(30, TimeUnit.SECONDS);
            if (message == null) {
                throw new IllegalStateException("the broker admitted " + m.name() + " but delivered no message");
            }
            return message;
        }
    }

    private static X509Certificate renew(SimulatedMachine m, Enrolled enrolled, Network net, SimulatedBoot boot)
            throws IOException {
        return new Renewer(net.service()).renew(m.keys(), m.machineKey(), List.of(enrolled.certificate()),
                m.attestationKey(), enrolled.akCertificate(), net.quoted(), boot.log());
    }

    /** The verdict's failure that names an event (else its first), and how many more there are. */
    private static String verdict(String text) {
        List<String> failures = (text == null ? "" : text).lines().map(String::strip)
                .filter(l -> l.startsWith("FAIL ")).toList();
        if (failures.isEmpty()) {
            return text;
        }
        String shown = failures.stream().filter(l -> l.contains("event ")).findFirst().orElse(failures.get(0));
        return shown + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "");
    }

    /** Writes one of machine-a's files to {@code out}, if given; key files for their owner only. */
    private void save(String name, String content) throws IOException {
        if (out == null) {
            return;
        }
        Files.createDirectories(out);
        Path file = out.resolve(name);
        Files.writeString(file, content);
        if (name.endsWith("-key.pem") || name.endsWith(".sealed")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
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
