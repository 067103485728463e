package org.tpmauth.demo.network;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocketFactory;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.ServiceClient;
import org.tpmauth.attest.service.AttestationServer;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.refstate.RefStates;
import org.tpmauth.demo.SignatureCounter;
import org.tpmauth.demo.SimulatedBoot;
import org.tpmauth.demo.TempFolder;
import org.tpmauth.demo.ThrowawayCa;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import org.tpmauth.pkcs11.Pkcs11Server;
import org.tpmauth.pkcs11.Token;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.Mosquitto;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.TpmCsr;
import org.tpmauth.tls.TpmKeyManager;
import org.tpmauth.tls.TpmMqtt;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tls.testing.Charon;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.Hostapd;
import org.tpmauth.tls.testing.NetNamespace;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tls.TpmKeyStoreParameter;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.transport.TpmTransportException;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.vpn.openvpn.ManagementEndpoint;
import org.tpmauth.vpn.openvpn.OpenVpnBackend;
import org.tpmauth.vpn.strongswan.ChildSa;
import org.tpmauth.vpn.strongswan.KeyRoute;
import org.tpmauth.vpn.strongswan.SwanctlClientConfig;
import org.tpmauth.vpn.wireguard.SealedWireGuardKey;
import org.tpmauth.vpn.wireguard.WgControl;
import org.tpmauth.vpn.wireguard.WireGuardBringUp;
import org.tpmauth.vpn.wireguard.WireGuardException;
import org.tpmauth.vpn.wireguard.WireGuardKey;

/**
 * {@code tpmauth demo --network}: the story on real programs. A device, a switch and a server live in network
 * namespaces ({@link Topology}); the device's one TPM key (in this process's TPM) proves the device to
 * FreeRADIUS behind hostapd through wpa_supplicant and the PKCS#11 token, to an OpenVPN server through the
 * management interface, to a strongSwan gateway through the token again, and to mosquitto over TLS; a WireGuard
 * key sealed to the boot state brings up a wireguard-go tunnel. Two doors close: a key certified by a foreign CA
 * is refused by FreeRADIUS, and after a PCR changes the WireGuard key stays sealed. Every program is started and
 * stopped by PID and every namespace removed, also on Ctrl-C ({@link CleanupRegistry}).
 *
 * <p>The machine certificate comes from the attestation service, which runs in the server's namespace: the device
 * enrolls over the network (EK certificate, credential activation, a quote against the reference state) before the
 * first network step, and every server trusts the service's CA ({@link #enroll}).
 */
public final class NetworkDemo {
    static final String TOKEN = "tpmauth";
    static final String MACHINE_ALIAS = "device";
    static final String ROGUE_ALIAS = "rogue";
    /** PCR 16 (debug): resettable and unused by firmware, so the demo may extend it to play "another bootloader". */
    static final int BOOT_PCR = 16;
    private static final String OPENVPN_NET = "10.99.8.0";
    private static final String OPENVPN_SERVER_INNER = "10.99.8.1";
    private static final String IPSEC_INNER = "10.99.9.1";
    private static final String IPSEC_POOL = "10.99.10.0/24";
    private static final String WG_DEVICE_ADDR = "10.99.7.1";
    private static final String WG_SERVER_ADDR = "10.99.7.2";
    private static final int WG_PORT = 51820;
    private static final int MQTT_PORT = 8883;
    private static final int SERVICE_PORT = 8443;
    /** The device group the service keeps the reference state for, and the PCRs the quote covers. */
    private static final String GROUP = "demo";
    private static final String QUOTED = "sha256:0-9";
    private static final Duration LIFETIME = Duration.ofHours(8);
    private static final Duration READY = Duration.ofSeconds(20);
    /** Bouncy Castle JSSE's start-up notes would land between the step lines; kept here: loggers are held weakly. */
    private static final Logger BC_JSSE = Logger.getLogger("org.bouncycastle.jsse");

    /** The whole run, as {@code --json} prints it. */
    public record Report(boolean passed, String tpm, double seconds, List<Steps.Result> steps,
            List<String> cleanupFailures) {
    }

    private final Tpm tpm;
    private final CleanupRegistry cleanup;
    private final Path work;
    private final PrintStream out;
    private final Steps steps;
    private final List<Long> pids = new ArrayList<>();
    private final String id;

    // what the steps hand on to each other
    private Topology net;
    private TestPki networkPki;
    private Path networkCaPem;
    private Path machineCaPem;
    private Path serverCert;
    private Path serverKey;
    private TpmKeys keys;
    private TpmKey machineKey;
    private X509Certificate machineCert;
    private Pkcs11Server token;
    private FreeRadius radius;
    private Hostapd hostapd;
    private WireGuardBringUp wireguard;
    private Tss2KeyFile sealedWgKey;
    private String wgDevice;

    NetworkDemo(Tpm tpm, SignatureCounter counter, CleanupRegistry cleanup, Path work, PrintStream out) {
        this.tpm = tpm;
        this.cleanup = cleanup;
        this.work = work;
        this.out = out;
        this.steps = new Steps(out, counter::signatures);
        this.id = Long.toHexString(ProcessHandle.current().pid());
    }

    /**
     * Runs the demo on the TPM named by {@code tcti} (null: libtpms in this process, in a temporary folder),
     * printing its lines to {@code out}; everything it made is gone when it returns, or when the JVM is stopped.
     */
    public static Report run(String tcti, PrintStream out) throws IOException {
        long start = System.nanoTime();
        BC_JSSE.setLevel(Level.SEVERE);
        try (CleanupRegistry cleanup = new CleanupRegistry(out)) {
            cleanup.installShutdownHook(Thread.currentThread(), 5);
            Path work = cleanup.register("work folder", new TempFolder(Files.createTempDirectory("tpmauth-netdemo-")))
                    .path();
            String config = tcti != null ? tcti : "libtpms:" + Files.createDirectory(work.resolve("tpm"));
            SignatureCounter counter = new SignatureCounter(org.tpmauth.tss.transport.TctiConfig.parse(config).open());
            Tpm tpm = cleanup.register("the TPM", new Tpm(counter, true));
            out.println("tpmauth demo --network: one device, one TPM key, real programs in network namespaces (TPM: "
                    + config + ")");
            NetworkDemo demo = new NetworkDemo(tpm, counter, cleanup, work, out);
            boolean completed = demo.story();
            demo.finish(completed);
            List<Steps.Result> results = demo.steps.results();
            demo.steps.printTable();
            boolean passed = completed && results.stream().allMatch(Steps.Result::passed)
                    && cleanup.failures().isEmpty();
            return new Report(passed, config, (System.nanoTime() - start) / 1e9, results, cleanup.failures());
        }
    }

    /** The network steps; false when one failed (the rest build on it). */
    private boolean story() {
        try {
            steps.run("network", "Network: device, switch port and server namespaces joined by veth pairs", "-",
                    this::network);
            steps.run("enrollment", "Enrollment: the device proves its TPM and boot state to the attestation "
                    + "service over the network and gets a short-lived certificate for its TPM key, served by the "
                    + "PKCS#11 token", "TPM (keystore/device.key, wrapped by the TPM's storage key)", this::enroll);
            steps.run("802.1X", "802.1X on the switch port: wpa_supplicant -> hostapd (driver=wired) -> FreeRADIUS, "
                    + "EAP-TLS with the TPM key through the PKCS#11 token", "TPM, through the PKCS#11 token",
                    this::dot1x);
            steps.run("802.1X foreign key", "Tampering: a TPM key certified by a foreign CA tries the same port",
                    "TPM (keystore/rogue.key), certificate from a foreign CA", this::dot1xForeign);
            steps.run("OpenVPN", "OpenVPN: the device's client signs through the management interface, answered by "
                    + "tpmauth", "TPM, through OpenVPN's management interface", this::openvpn);
            steps.run("strongSwan", "strongSwan: IKEv2 from the device's charon to the gateway, signing through the "
                    + "PKCS#11 token", "TPM, through the PKCS#11 token", this::strongswan);
            steps.run("WireGuard", "WireGuard: the device's key, sealed to the boot state (PCR " + BOOT_PCR
                    + "), unsealed into wireguard-go", "sealed by the TPM to PCR " + BOOT_PCR + " (wg-device.sealed)",
                    this::wireguard);
            steps.run("MQTT", "MQTT 5 over TLS to mosquitto, from the device's namespace, with the TPM key",
                    "TPM, in this process (JSSE key manager)", this::mqtt);
            steps.run("PCR changed", "Tampering: PCR " + BOOT_PCR + " changes (\"a different bootloader\"); the "
                    + "WireGuard key stays sealed", "sealed by the TPM to PCR " + BOOT_PCR, this::wireguardSealed);
            return true;
        } catch (Steps.StepFailedException e) {
            return false;
        }
    }

    /** The last step: everything stopped and removed, and checked to be gone. */
    private void finish(boolean completed) {
        try {
            steps.run("cleanup", "Every program stopped by its PID, the namespaces and files removed", "-", () -> {
                List<String> namespaces = net == null ? List.of() : List.of(net.device(), net.sw(), net.server());
                int programs = pids.size();
                cleanup.close();
                List<Long> alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)).toList();
                String list = NetNamespace.run("ip", "netns", "list");
                List<String> left = namespaces.stream().filter(list::contains).toList();
                if (!alive.isEmpty() || !left.isEmpty() || Files.exists(work) || !cleanup.failures().isEmpty()) {
                    throw new IllegalStateException("left behind: processes " + alive + ", namespaces " + left
                            + (Files.exists(work) ? ", " + work : "") + " " + cleanup.failures());
                }
                return programs + " programs stopped, " + namespaces.size() + " namespaces and " + work
                        + " removed" + (completed ? "" : " (after a failed step)");
            });
        } catch (Steps.StepFailedException e) {
            // shown in its verdict line and the table
        }
    }

    private String network() throws IOException {
        net = Topology.create(cleanup);
        if (!Topology.ping(net.device(), Topology.SERVER_ADDR, 2)) {
            throw new IllegalStateException("the device cannot reach the server through the switch");
        }
        return "device " + Topology.DEVICE_ADDR + " -> switch " + Topology.PORT_IF + " | " + Topology.UPLINK_IF
                + " -> server " + Topology.SERVER_ADDR + "; ping through the switch ok (" + net.device() + ", "
                + net.sw() + ", " + net.server() + ")";
    }

    /**
     * The machine's identity, from the attestation service: the TPM gets its EK certificate from a throwaway
     * manufacturer and a boot is simulated (a real firmware log replayed into the PCRs); the service starts in
     * the server's namespace; the device enrolls over the network from its own namespace (EK certificate, a
     * key certified by an AK, a quote and the log against the reference state, credential activation) and gets
     * a short-lived certificate for its TPM key, which every later step uses, with the service's CA as the
     * servers' trust anchor.
     */
    private String enroll() throws Exception {
        networkPki = new TestPki("tpmauth demo network CA");
        networkCaPem = TestPki.writePem(work.resolve("network-ca.pem"), networkPki.ca);
        var serverPair = TestPki.ecKey();
        X509Certificate serverCertificate = networkPki.issue(serverPair.getPublic(), "server");
        serverCert = TestPki.writePem(work.resolve("server.pem"), serverCertificate);
        serverKey = TestPki.writePem(work.resolve("server.key"), serverPair.getPrivate());
        ThrowawayCa serviceCa = new ThrowawayCa("tpmauth demo attestation service CA");
        machineCaPem = TestPki.writePem(work.resolve("machine-ca.pem"), serviceCa.certificate());

        keys = new TpmKeys(tpm);
        cleanup.register("TPM key cache", this::flushKeys);
        ThrowawayCa manufacturer = new ThrowawayCa("tpmauth demo TPM manufacturer (throwaway)");
        if (EndorsementKey.readCertificate(tpm, EkTemplate.ECC_P256.certificateIndex()).isPresent()) {
            throw new IllegalStateException("this TPM already holds an EK certificate from its maker, whose root the "
                    + "demo's attestation service does not know; run the network demo on its own in-process TPM "
                    + "(without --tcti) or on a fresh swtpm");
        }
        manufacturer.provisionEk(tpm);
        SimulatedBoot boot = SimulatedBoot.ubuntu();
        int events = boot.replayInto(tpm);

        Path records = Files.createDirectory(work.resolve("attestation-service"));
        Database db = cleanup.register("attestation service records", Database.open(records.resolve("records")
                .toString()));
        String serviceUrl = "https://" + Topology.SERVER_ADDR + ":" + SERVICE_PORT;
        AttestationServer.Settings settings = new AttestationServer.Settings(InetAddress.getByName(
                Topology.SERVER_ADDR), SERVICE_PORT, new TlsIdentity(serverPair.getPrivate(), List.of(serverCertificate)),
                serviceCa.privateKey(), serviceCa.certificate(), LIFETIME, serviceUrl + "/crl",
                new EkCertificateVerifier(List.of(manufacturer.certificate()), List.of()),
                Map.of(GROUP, RefStates.fromLog(boot.parsed(), Set.of(0))), db, null, Duration.ofMinutes(5));
        cleanup.register("attestation service", InNamespace.call(net.server(), "attestation service",
                () -> AttestationServer.start(settings)));
        NamespaceRelay relay = cleanup.register("relay into " + net.device(), NamespaceRelay.start(net.device(),
                new InetSocketAddress(Topology.SERVER_ADDR, SERVICE_PORT)));
        ServiceClient service = new ServiceClient(URI.create("https://127.0.0.1:" + relay.port()),
                List.of(networkPki.ca));

        Path keystore = Files.createDirectory(work.resolve("keystore"));
        machineKey = keys.load(createKey(keystore, MACHINE_ALIAS), new byte[0]);
        TpmKey ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
        Enroller.Result enrolled;
        try {
            enrolled = new Enroller(service).enroll(tpm, Enroller.ekCertificate(tpm), machineKey, ak, GROUP,
                    PcrSelections.parse(QUOTED), boot.log());
        } finally {
            keys.unload(ak);
        }
        machineCert = enrolled.certificate();
        TestPki.writePem(keystore.resolve(MACHINE_ALIAS + TpmKeyStoreParameter.CERTIFICATE_SUFFIX), machineCert);
        // the foreign key of the tampering step: also in this TPM, certified by a CA no server trusts
        ThrowawayCa foreign = new ThrowawayCa("someone else's CA");
        TpmKey rogue = keys.load(createKey(keystore, ROGUE_ALIAS), new byte[0]);
        TestPki.writePem(keystore.resolve(ROGUE_ALIAS + TpmKeyStoreParameter.CERTIFICATE_SUFFIX), foreign.issueClientCertificate(
                TpmCsr.create(keys, rogue, "CN=rogue-" + id, List.of()), Duration.ofHours(8)));
        keys.unload(rogue);

        PrintStream tokenLog = cleanup.register("token log", new PrintStream(Files.newOutputStream(
                work.resolve("pkcs11.log")), true, StandardCharsets.UTF_8));
        token = cleanup.register("PKCS#11 token server", Pkcs11Server.start(Token.open(keys, keystore, TOKEN, null),
                work.resolve("p11.sock"), tokenLog));
        return String.format("%d boot events replayed; enrolled from %s with %s in %s: EK certificate checked, "
                + "credential activated, quote and log held against the reference state; %s, serial %s, %d h, from "
                + "the service's CA; token '%s' serves it at %s", events, net.device(), serviceUrl, net.server(),
                machineCert.getSubjectX500Principal().getName(), machineCert.getSerialNumber().toString(16),
                LIFETIME.toHours(), TOKEN, token.socket().getFileName());
    }

    private void flushKeys() {
        try {
            keys.close();
        } catch (TpmTransportException e) {
            // at Ctrl-C libtpms closes itself (its own shutdown hook), and its loaded objects go with it
        }
    }

    private Tss2KeyFile createKey(Path keystore, String alias) throws IOException {
        Tss2KeyFile file = keys.create(KeyAlgorithm.EC_P256, new byte[0], TpmHandles.RH_OWNER);
        file.writePem(keystore.resolve(alias + TpmKeyStoreParameter.KEY_SUFFIX));
        return file;
    }

    private String dot1x() throws Exception {
        radius = cleanup.register("FreeRADIUS", FreeRadius.start(machineCaPem, serverCert, serverKey, 1024,
                net.server(), Topology.SERVER_ADDR, Topology.UPLINK_ADDR));
        pids.add(radius.pid());
        hostapd = program("hostapd", Hostapd.startWithRadius(net.sw(), Topology.PORT_IF, Topology.UPLINK_ADDR,
                Topology.SERVER_ADDR, radius.port, radius.secret));
        long start = System.nanoTime();
        try (LoggedProcess supplicant = supplicant(MACHINE_ALIAS, "device-" + id)) {
            supplicant.awaitLog("EAPOL: Supplicant port status: Authorized", READY);
            hostapd.awaitAuthorized();
            double ms = (System.nanoTime() - start) / 1e6;
            return String.format("port %s authorized %.0f ms after wpa_supplicant started; FreeRADIUS: %s",
                    Topology.PORT_IF, ms, lastLine(radius.log(), "Login OK"));
        }
    }

    private String dot1xForeign() throws Exception {
        int authorized = count(hostapd.log(), Hostapd.AUTHORIZED);
        int radiusLines = radius.log().length();
        try (LoggedProcess supplicant = supplicant(ROGUE_ALIAS, "rogue-" + id)) {
            supplicant.awaitLog("CTRL-EVENT-EAP-FAILURE", READY);
        }
        if (count(hostapd.log(), Hostapd.AUTHORIZED) != authorized) {
            throw new IllegalStateException("hostapd authorized the port for the foreign key");
        }
        String attempt = radius.log().substring(radiusLines);
        return "EAP failure, port stays unauthorized; FreeRADIUS: " + firstLine(attempt, "verify error",
                "unable to get", "Login incorrect");
    }

    /** wpa_supplicant on the device's port with key {@code alias} from the token. */
    private LoggedProcess supplicant(String alias, String identity) throws IOException {
        Path conf = Files.writeString(work.resolve("wpa-" + alias + ".conf"), WpaSupplicant.config(
                "ap_scan=0\n" + WpaSupplicant.pkcs11Globals(KeyRoute.Pkcs11.P11_KIT_CLIENT), identity, networkCaPem,
                WpaSupplicant.pkcs11Credentials(TOKEN, alias), "1.3"));
        return program("wpa_supplicant", WpaSupplicant.startWired(net.device(), Topology.DEVICE_IF, conf,
                work.resolve("wpa-" + alias + ".log"), Map.of("P11_KIT_SERVER_ADDRESS", tokenAddress())));
    }

    private String openvpn() throws Exception {
        Path socket = work.resolve("openvpn-management.sock");
        AtomicLong signed = new AtomicLong();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        OpenVpnBackend backend = cleanup.register("OpenVPN management backend", new OpenVpnBackend(
                new ManagementEndpoint.Unix(socket), true, TpmPrivateKey.of(keys, machineKey), List.of(machineCert),
                null, line -> {
                    if (line.startsWith("waiting for OpenVPN")) {
                        listening.complete(null);
                    } else if (line.startsWith("signed PK_SIGN")) {
                        signed.incrementAndGet();
                    }
                }));
        Thread serving = new Thread(backend, "tpmauth-openvpn-backend");
        serving.setDaemon(true);
        serving.start();
        listening.get(5, TimeUnit.SECONDS);
        program("OpenVPN server", new LoggedProcess(work, NetNamespace.inNamespace(net.server(), "openvpn", "--dev",
                "tun", "--topology", "subnet", "--server", OPENVPN_NET, "255.255.255.0", "--proto", "udp4", "--local",
                Topology.SERVER_ADDR, "--lport", "1194", "--ca", machineCaPem.toString(), "--cert",
                serverCert.toString(), "--key", serverKey.toString(), "--dh", "none", "--verb", "3"),
                "Initialization Sequence Completed"));
        long start = System.nanoTime();
        program("OpenVPN client", new LoggedProcess(work, NetNamespace.inNamespace(net.device(), "openvpn", "--client",
                "--dev", "tun", "--proto", "udp4", "--remote", Topology.SERVER_ADDR, "1194", "--nobind", "--ca",
                networkCaPem.toString(), "--remote-cert-tls", "server", "--management", socket.toString(), "unix",
                "--management-client", "--management-external-cert", "tpmauth", "--management-external-key", "pkcs1",
                "pss", "--verb", "3"), "Initialization Sequence Completed"));
        double ms = (System.nanoTime() - start) / 1e6;
        if (!Topology.ping(net.device(), OPENVPN_SERVER_INNER, 2)) {
            throw new IllegalStateException("the tunnel is up but " + OPENVPN_SERVER_INNER + " does not answer");
        }
        return String.format("tunnel up in %.0f ms (%d PK_SIGN answered by the TPM); ping %s through it ok", ms,
                signed.get(), OPENVPN_SERVER_INNER);
    }

    private String strongswan() throws Exception {
        Path gateway = work.resolve("gateway");
        Charon.writeGatewayConfig(gateway.resolve("swanctl"), serverCert, serverKey, machineCaPem, Topology.SERVER_ADDR,
                "CN=server", IPSEC_INNER + "/32", IPSEC_POOL);
        NetNamespace.run("ip", "-n", net.server(), "addr", "add", IPSEC_INNER + "/32", "dev", "lo");
        Charon gw = program("charon (gateway)", Charon.start(net.server(), gateway, "", "", Map.of()));
        NetNamespace.run(gw.swanctl("--load-all", "--noprompt").toArray(String[]::new));

        Path client = work.resolve("client");
        new SwanctlClientConfig(machineCert, List.of(networkPki.ca), Topology.SERVER_ADDR, "CN=server",
                SwanctlClientConfig.subjectId(machineCert), List.of(new ChildSa("net", List.of(IPSEC_INNER + "/32"))),
                new KeyRoute.Pkcs11(KeyRoute.Pkcs11.MODULE, KeyRoute.Pkcs11.P11_KIT_CLIENT, tokenAddress(),
                        SwanctlClientConfig.pkcs11Id(machineCert))).writeTo(client.resolve("swanctl"));
        Charon device = program("charon (device)", Charon.start(net.device(), client, " pkcs11", "include "
                + client.resolve("swanctl").resolve(SwanctlClientConfig.CHARON_SETTINGS) + "\n",
                Map.of("P11_KIT_SERVER_ADDRESS", tokenAddress())));
        NetNamespace.run(device.swanctl("--load-all", "--noprompt").toArray(String[]::new));
        long start = System.nanoTime();
        String up;
        try {
            up = NetNamespace.run(device.swanctl("--initiate", "--child", "net", "--timeout", "20")
                    .toArray(String[]::new));
        } catch (IOException e) {
            throw new IllegalStateException("swanctl --initiate failed: " + lastLine(e.getMessage(), "failed")
                    + "\ngateway log:\n" + LoggedProcess.tail(gw.charonLog()));
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (!Topology.ping(net.device(), IPSEC_INNER, 2)) {
            throw new IllegalStateException("IKE_SA up but " + IPSEC_INNER + " does not answer");
        }
        return String.format("IKE_SA and CHILD_SA established in %.0f ms (%s); ping %s through it ok", ms,
                lastLine(up, "established with SPIs").strip(), IPSEC_INNER);
    }

    private String wireguard() throws Exception {
        wgDevice = "wgd" + id;
        String wgServer = "wgs" + id;
        wireguardGo(net.device(), wgDevice);
        wireguardGo(net.server(), wgServer);
        WgControl server = new WgControl(Optional.of(net.server()));
        WireGuardKey serverKey = WireGuardKey.generate();
        WireGuardKey deviceKey = WireGuardKey.generate();
        String serverPublic = serverKey.publicKey();
        try {
            server.setPrivateKey(wgServer, serverKey);
            sealedWgKey = SealedWireGuardKey.seal(new Sealing(keys), deviceKey, new byte[0],
                    List.of(TpmsPcrSelection.of(TpmAlg.SHA256, BOOT_PCR)), null);
        } finally {
            serverKey.destroy();
            deviceKey.destroy(); // from now on it exists only sealed
        }
        sealedWgKey.writePem(work.resolve("wg-device.sealed"));
        String devicePublic = SealedWireGuardKey.publicKey(sealedWgKey);
        NetNamespace.run("ip", "netns", "exec", net.server(), "wg", "set", wgServer, "listen-port",
                String.valueOf(WG_PORT), "peer", devicePublic, "allowed-ips", WG_DEVICE_ADDR + "/32");
        NetNamespace.run("ip", "-n", net.server(), "addr", "add", WG_SERVER_ADDR + "/24", "dev", wgServer);
        server.linkUp(wgServer);
        NetNamespace.run("ip", "netns", "exec", net.device(), "wg", "set", wgDevice, "peer", serverPublic,
                "allowed-ips", WG_SERVER_ADDR + "/32", "endpoint", Topology.SERVER_ADDR + ":" + WG_PORT,
                "persistent-keepalive", "1");
        NetNamespace.run("ip", "-n", net.device(), "addr", "add", WG_DEVICE_ADDR + "/24", "dev", wgDevice);

        wireguard = new WireGuardBringUp(new Sealing(keys), new WgControl(Optional.of(net.device())));
        long start = System.nanoTime();
        String up = wireguard.up(sealedWgKey, new byte[0], wgDevice);
        double ms = (System.nanoTime() - start) / 1e6;
        if (!pingWithRetries(WG_SERVER_ADDR)) {
            throw new IllegalStateException(wgDevice + " is up but " + WG_SERVER_ADDR + " does not answer");
        }
        return String.format("unsealed and brought up in %.0f ms, public key %s; ping %s through it ok", ms, up,
                WG_SERVER_ADDR);
    }

    private void wireguardGo(String ns, String iface) throws Exception {
        LoggedProcess daemon = program("wireguard-go " + iface, new LoggedProcess(NetNamespace.inNamespace(ns,
                "wireguard-go", "-f", iface), work.resolve(iface + ".log")));
        daemon.await(log -> {
            try {
                NetNamespace.run("ip", "netns", "exec", ns, "wg", "show", iface);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(5), "interface " + iface);
    }

    /** The first WireGuard handshake may take a moment. */
    private boolean pingWithRetries(String address) {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (Topology.ping(net.device(), address, 1)) {
                return true;
            }
        }
        return false;
    }

    private String mqtt() throws Exception {
        Mosquitto broker = program("mosquitto", Mosquitto.inNamespace(net.server(), work, Topology.SERVER_ADDR,
                MQTT_PORT, machineCaPem, serverCert, serverKey));
        NamespaceRelay relay = cleanup.register("relay into " + net.device(), NamespaceRelay.start(net.device(),
                new InetSocketAddress(Topology.SERVER_ADDR, MQTT_PORT)));
        SSLSocketFactory factory = TpmMqtt.socketFactory(TpmKeyManager.of(MACHINE_ALIAS,
                TpmPrivateKey.of(keys, machineKey), List.of(machineCert)), networkCaPem);
        String cn = "device-" + id;
        String topic = "devices/" + cn + "/status";
        CompletableFuture<String> received = new CompletableFuture<>();
        long start = System.nanoTime();
        // the server certificate names 127.0.0.1, where the relay listens: the host name check stays on
        try (TpmMqttClient client = TpmMqttClient.connect("ssl://127.0.0.1:" + relay.port(), cn, factory, true)) {
            double connectMs = (System.nanoTime() - start) / 1e6;
            client.subscribe(topic, 1, (t, payload) -> received.complete(new String(payload, StandardCharsets.UTF_8)));
            client.publish(topic, "online".getBytes(StandardCharsets.UTF_8), 1);
            String message = received.get(10, TimeUnit.SECONDS);
            broker.awaitLog("New client connected from " + Topology.DEVICE_ADDR);
            return String.format("connected in %.0f ms from %s as '%s'; published and received '%s' on %s", connectMs,
                    Topology.DEVICE_ADDR, cn, message, topic);
        }
    }

    private String wireguardSealed() throws Exception {
        byte[] event = MessageDigest.getInstance("SHA-256").digest("a different bootloader".getBytes(
                StandardCharsets.UTF_8));
        tpm.execute(new PcrExtend(BOOT_PCR, List.of(new TpmtHa(TpmAlg.SHA256, event))));
        String refusal;
        try {
            wireguard.up(sealedWgKey, new byte[0], wgDevice);
            throw new IllegalStateException("the sealed WireGuard key was released after the PCR changed");
        } catch (WireGuardException e) {
            refusal = e.getMessage();
        }
        WgControl wg = new WgControl(Optional.of(net.device()));
        if (wg.publicKey(wgDevice).isPresent() || wg.isUp(wgDevice)) {
            throw new IllegalStateException(wgDevice + " kept its key or stayed up: " + refusal);
        }
        if (Topology.ping(net.device(), WG_SERVER_ADDR, 1)) {
            throw new IllegalStateException(WG_SERVER_ADDR + " still answers through " + wgDevice);
        }
        return "refused: " + refusal + "; ping " + WG_SERVER_ADDR + " fails";
    }

    /** Registers a started program for stopping (by its PID) and remembers the PID for the final check. */
    private <T extends LoggedProcess> T program(String what, T process) {
        pids.add(process.process().pid());
        return cleanup.register(what + " (pid " + process.process().pid() + ")", process);
    }

    private String tokenAddress() {
        return P11KitModuleConfig.address(token.socket());
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    private static String lastLine(String text, String needle) {
        List<String> lines = text.lines().filter(l -> l.contains(needle)).toList();
        return lines.isEmpty() ? "(no line with '" + needle + "')" : lines.get(lines.size() - 1).strip();
    }

    private static String firstLine(String text, String... needles) {
        return text.lines().filter(l -> Stream.of(needles).anyMatch(l::contains)).findFirst().map(String::strip)
                .orElse("(no reason logged)");
    }
}
