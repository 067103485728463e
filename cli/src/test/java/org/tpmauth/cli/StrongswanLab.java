package org.tpmauth.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.tpmauth.tls.testing.Charon;
import org.tpmauth.vpn.strongswan.SwanctlClientConfig;

/**
 * Two network namespaces over a veth pair, a strongSwan gateway (charon-systemd, software key from the test CA
 * in {@code dir}, virtual IPs from 10.232.10.0/24, inner address {@link #INNER}) and a client charon whose
 * strongswan.conf includes the client's generated {@code dir/client/swanctl/strongswan-tpmauth.conf}.
 * ESP runs in userspace (kernel-libipsec): this kernel has no XFRM ESP.
 */
final class StrongswanLab implements AutoCloseable {
    static final String GW_ADDR = "10.231.9.1";
    static final String CL_ADDR = "10.231.9.2";
    /** The gateway's address inside the tunnel (on its loopback). */
    static final String INNER = "10.232.9.1";
    /** The benchmark's two client connections: the generated one (TPM key) and a software-key copy. */
    private static final String TPM_IKE = SwanctlClientConfig.CONNECTION;
    private static final String SOFTWARE_IKE = TPM_IKE + "-sw";

    final Path dir;
    final String gatewayNs;
    final String clientNs;
    private final List<Charon> daemons = new ArrayList<>();

    private StrongswanLab(Path dir) {
        this.dir = dir;
        String id = HexFormat.of().formatHex(SecureRandom.getSeed(3));
        gatewayNs = "tpmauth-ssg-" + id;
        clientNs = "tpmauth-ssc-" + id;
    }

    /** Skips the test class where namespaces or strongSwan are not available. */
    static void assumeAvailable() {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/charon-systemd")), "charon-systemd is not installed");
    }

    /** A test CA (ca.pem, ca.key), a foreign CA (foreign.pem, foreign.key) and the gateway's key and certificate. */
    static void pki(Path dir) {
        for (String ca : new String[] {"ca", "foreign"}) {
            sh(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", ca + ".key", "-out", ca + ".pem", "-subj", "/CN=" + ca + " CA", "-days", "1");
        }
        sh(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "gateway.key", "-out", "gateway.csr", "-subj", "/CN=gateway");
        issue(dir, "ca", "gateway.csr", "gateway.pem");
    }

    static void issue(Path dir, String ca, String csr, String out) {
        sh(dir, "openssl", "x509", "-req", "-in", csr, "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-days", "1", "-out", out);
    }

    /**
     * Creates the namespaces and starts both charons; the client's swanctl directory (dir/client/swanctl) must
     * already hold the generated config. {@code clientPlugins} are added to the client's plugin list,
     * {@code clientEnv} to its environment.
     */
    static StrongswanLab start(Path dir, String clientPlugins, Map<String, String> clientEnv) throws Exception {
        StrongswanLab lab = new StrongswanLab(dir);
        try {
            lab.network();
            lab.gateway();
            Path client = dir.resolve("client");
            lab.startCharon(lab.clientNs, client, clientPlugins,
                    "include " + client.resolve("swanctl/strongswan-tpmauth.conf") + "\n", clientEnv);
        } catch (Exception | AssertionError e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void network() {
        sh(dir, "ip", "netns", "add", gatewayNs);
        sh(dir, "ip", "netns", "add", clientNs);
        String g = "g" + gatewayNs.substring(gatewayNs.length() - 6);
        String c = "c" + clientNs.substring(clientNs.length() - 6);
        sh(dir, "ip", "link", "add", g, "netns", gatewayNs, "type", "veth", "peer", "name", c, "netns", clientNs);
        for (String[] side : new String[][] {{gatewayNs, g, GW_ADDR + "/30"}, {clientNs, c, CL_ADDR + "/30"}}) {
            sh(dir, "ip", "-n", side[0], "addr", "add", side[2], "dev", side[1]);
            sh(dir, "ip", "-n", side[0], "link", "set", side[1], "up");
            sh(dir, "ip", "-n", side[0], "link", "set", "lo", "up");
        }
        sh(dir, "ip", "-n", gatewayNs, "addr", "add", INNER + "/32", "dev", "lo");
    }

    private void gateway() throws Exception {
        Path gw = dir.resolve("gw");
        Charon.writeGatewayConfig(gw.resolve("swanctl"), dir.resolve("gateway.pem"), dir.resolve("gateway.key"),
                dir.resolve("ca.pem"), GW_ADDR, "CN=gateway", INNER + "/32", "10.232.10.0/24");
        startCharon(gatewayNs, gw, "", "", Map.of());
        swanctl(gatewayNs, gw, "--load-all", "--noprompt").succeeded();
    }

    /** Loads the client's swanctl directory (dropping credentials loaded before) and initiates CHILD_SA {@code child}. */
    Cli.Result connect(String child) {
        swanctl(clientNs, dir.resolve("client"), "--load-all", "--clear", "--noprompt").succeeded();
        return initiate(child);
    }

    /** Initiates the loaded client's CHILD_SA {@code child} (and its IKE_SA). */
    Cli.Result initiate(String child) {
        return swanctl(clientNs, dir.resolve("client"), "--initiate", "--child", child, "--timeout", "20");
    }

    /**
     * The issue's speed comparison, printed as a {@link BenchLine}: {@code swanctl --initiate} to established
     * (wall clock, swanctl's own start included, the same for both) with the client's TPM key as configured,
     * versus a software EC key of the same CA. Both connections are loaded side by side (the software one as
     * {@code tpmauth-sw}), so the two alternate run by run without reloading: {@code rounds * runs} pairs,
     * every other pair in the opposite order. Besides the two medians and their difference, the median of the
     * pairs' differences (the TPM's run minus the neighbouring software run, so load that drifts cancels) with
     * its 95% confidence interval (sign test: order statistics of the sorted differences). The same again
     * ({@code charon_} fields) for the time charon itself logs from "initiating IKE_SA" to "IKE_SA ...
     * established" (millisecond timestamps): without swanctl's process start and vici, which only add noise;
     * for these whole milliseconds the paired differences' trimmed mean resolves what their median cannot.
     * {@code tpmId} is the TPM certificate's identity in swanctl.conf.
     */
    void benchAgainstSoftwareKey(String route, String tpmId, int rounds, int runs) throws IOException {
        Path swanctl = dir.resolve("client/swanctl");
        Path conf = swanctl.resolve("swanctl.conf");
        Path softwareCert = swanctl.resolve("x509/sw.pem");
        Path softwareKey = swanctl.resolve("private/sw.pem");
        byte[] tpmConf = Files.readAllBytes(conf);
        sh(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "sw.key", "-out", "sw.csr", "-subj", "/CN=client-sw");
        issue(dir, "ca", "sw.csr", "sw.pem");
        String text = new String(tpmConf, StandardCharsets.UTF_8);
        String connection = text.substring(text.indexOf("  " + TPM_IKE + " {"),
                text.indexOf("secrets {"));
        connection = connection.substring(0, connection.lastIndexOf('}')); // the "connections {" block's end
        String softwareConnection = connection.replaceFirst(TPM_IKE + " \\{", SOFTWARE_IKE + " {")
                .replace("tpmauth-client.pem", "sw.pem").replace(tpmId, "CN=client-sw");
        String both = text.replace(connection, connection + softwareConnection);
        List<Timing> tpm = new ArrayList<>();
        List<Timing> software = new ArrayList<>();
        try {
            Files.copy(dir.resolve("sw.pem"), softwareCert, StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(softwareKey.getParent());
            Files.copy(dir.resolve("sw.key"), softwareKey, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(conf, both);
            swanctl(clientNs, dir.resolve("client"), "--load-all", "--clear", "--noprompt").succeeded();
            for (String ike : new String[] {TPM_IKE, SOFTWARE_IKE}) { // untimed: the first use of each key
                initiate(ike, "net");
                disconnect(ike);
            }
            for (int i = 0; i < rounds * runs; i++) {
                boolean tpmFirst = i % 2 == 0;
                List<Timing> first = tpmFirst ? tpm : software;
                List<Timing> second = tpmFirst ? software : tpm;
                first.add(initiateTime(tpmFirst ? TPM_IKE : SOFTWARE_IKE));
                second.add(initiateTime(tpmFirst ? SOFTWARE_IKE : TPM_IKE));
            }
        } finally {
            Files.deleteIfExists(softwareKey);
            Files.deleteIfExists(softwareCert);
            Files.write(conf, tpmConf);
            swanctl(clientNs, dir.resolve("client"), "--load-all", "--clear", "--noprompt").succeeded();
        }
        BenchLine line = new BenchLine("strongswan_initiate").with("route", route).with("runs", tpm.size());
        compare(line, "", tpm.stream().map(Timing::wallNanos).toList(),
                software.stream().map(Timing::wallNanos).toList());
        compare(line, "charon_", tpm.stream().map(Timing::charonNanos).toList(),
                software.stream().map(Timing::charonNanos).toList());
        line.print();
    }

    /** Medians, their difference and ratio, and the paired differences' median with its confidence interval. */
    private static void compare(BenchLine line, String prefix, List<Long> tpm, List<Long> software) {
        line.compare(prefix + "tpm", line.median(prefix + "tpm", tpm), line.median(prefix + "software", software));
        List<Long> differences = new ArrayList<>();
        for (int i = 0; i < tpm.size(); i++) {
            differences.add(tpm.get(i) - software.get(i));
        }
        line.median(prefix + "paired_diff", differences);
        line.confidence95(prefix + "paired_diff", differences).trimmedMean95(prefix + "paired_diff", differences);
    }

    /** One initiate: swanctl's wall time, and charon's own time from initiating to established (ns). */
    private record Timing(long wallNanos, long charonNanos) {
    }

    /** Times one initiate of {@code ike}'s CHILD_SA net to established; then terminates it. */
    private Timing initiateTime(String ike) throws IOException {
        Path log = dir.resolve("client/charon.log");
        long logStart = Files.size(log);
        long start = System.nanoTime();
        initiate(ike, "net");
        long nanos = System.nanoTime() - start;
        disconnect(ike);
        return new Timing(nanos, charonNanos(log, logStart, ike));
    }

    /**
     * From charon's log after byte {@code from}: the time between "initiating IKE_SA IKE[n]" and "IKE_SA IKE[n]
     * established", by the lines' millisecond timestamps.
     */
    private static long charonNanos(Path log, long from, String ike) throws IOException {
        String text;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.seek(from);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        String initiating = text.lines().filter(l -> l.contains("initiating IKE_SA " + ike + "[")).findFirst()
                .orElseThrow(() -> new IllegalStateException("charon logged no 'initiating IKE_SA " + ike + "'"));
        String established = text.lines().filter(l -> l.contains("IKE_SA " + ike + "[") && l.contains(" established"))
                .findFirst().orElseThrow(() -> new IllegalStateException("charon logged no 'IKE_SA " + ike
                        + " established'"));
        return (long) ((timestamp(established) - timestamp(initiating)) * 1e9);
    }

    /** The leading "SECONDS.MILLIS" of a log line. */
    private static double timestamp(String line) {
        return Double.parseDouble(line.substring(0, line.indexOf(' ')));
    }

    private void initiate(String ike, String child) {
        swanctl(clientNs, dir.resolve("client"), "--initiate", "--ike", ike, "--child", child, "--timeout", "20")
                .succeeded();
    }

    String gatewaySas() {
        return swanctl(gatewayNs, dir.resolve("gw"), "--list-sas").succeeded().out();
    }

    void disconnect() {
        disconnect(TPM_IKE);
    }

    private void disconnect(String ike) {
        swanctl(clientNs, dir.resolve("client"), "--terminate", "--ike", ike, "--timeout", "10").succeeded();
    }

    boolean ping() {
        return Cli.tool(dir, "ip", "netns", "exec", clientNs, "ping", "-c", "1", "-W", "2", INNER).code() == 0;
    }

    /** Both charons' logs, for failure messages. */
    String logs() {
        return "gateway log:\n" + read(dir.resolve("gw/charon.log")) + "\nclient log:\n"
                + read(dir.resolve("client/charon.log")) + read(dir.resolve("client/charon.out"));
    }

    /** charon-systemd in {@code ns} with its own strongswan.conf, vici socket and log file in {@code home}. */
    private void startCharon(String ns, Path home, String plugins, String settings, Map<String, String> env)
            throws Exception {
        daemons.add(Charon.start(ns, home, plugins, settings, env));
    }

    private Cli.Result swanctl(String ns, Path home, String... args) {
        Charon charon = daemons.stream().filter(c -> c.netns.equals(ns)).findFirst().orElseThrow();
        return Cli.tool(home, charon.swanctl(args).toArray(String[]::new));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")\n";
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")\n";
        }
    }

    private static void sh(Path dir, String... command) {
        Cli.tool(dir, command).succeeded();
    }

    /** Stops the charons and removes the namespaces (always, also after a failed start). */
    @Override
    public void close() {
        daemons.forEach(Charon::close);
        for (String ns : new String[] {gatewayNs, clientNs}) {
            Cli.tool(Path.of("/"), "ip", "netns", "del", ns);
        }
    }
}
