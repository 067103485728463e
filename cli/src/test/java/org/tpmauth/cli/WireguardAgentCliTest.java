package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * {@code tpmauth wireguard agent} with real wireguard-go in two network namespaces (WireguardPair) and the shell
 * client users put in wg-quick's PostUp (contrib/wireguard/tpmauth-wg-up, netcat): the agent brings the tunnel
 * up (a ping goes through), answers malformed, oversized and unknown requests with an error and serves on, serves
 * clients one after another and at once, and after a PCR change answers with an error naming the PCR policy while
 * the interface stays keyless and down. The agent's socket is its owner's only; no file or log holds the key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WireguardAgentCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static final Path CLIENT = Path.of("..", "contrib", "wireguard", "tpmauth-wg-up").toAbsolutePath().normalize();
    private static WireguardPair pair;
    private static Path sealed;
    private static String publicA;
    private static Path socket;
    private static Thread agent;
    private static PrintStream agentLog;
    /** A's private key, read while the agent is stopped, for the scan of the test's files. */
    private static byte[] rawKey;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        pair = WireguardPair.start(dir);
        sealed = dir.resolve("a.sealed");
        publicA = Cli.tpmauthOn(SWTPM.tcti(), "wireguard", "seal", "--out", sealed.toString(), "--pcr-policy",
                "sha256:16").succeeded().out().strip();
        pair.connect(publicA);
        socket = dir.resolve("run").resolve("wireguard.sock");
        agentLog = new PrintStream(Files.newOutputStream(dir.resolve("agent.log")), true, StandardCharsets.UTF_8);
        startAgent();
    }

    @AfterAll
    static void stop() throws Exception {
        stopAgent();
        if (agentLog != null) {
            agentLog.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    @Order(1)
    void theShellClientBringsTheTunnelUpThroughTheAgent() {
        Tools.Output up = client(pair.wgA, sealed.toString());
        assertEquals(0, up.code(), up::toString);
        assertEquals(pair.wgA + " is up with public key " + publicA, up.out().strip());
        assertEquals(publicA, pair.publicKeyA());
        assertTrue(pair.linkUpA(), "link is up");
        assertTrue(pair.ping(), "ping through the tunnel");
    }

    @Test
    @Order(2)
    void theSocketIsItsOwnersOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals(0, (int) Files.getAttribute(socket, "unix:uid"));
    }

    @Test
    @Order(3)
    void malformedRequestsGetAnErrorAndTheAgentServesOn() throws Exception {
        assertTrue(request("hello\n").startsWith("error unknown request 'hello'; expected: up IFACE SEALED_PATH"));
        assertEquals("error the request is longer than 4096 bytes\n", request("up " + "x".repeat(100_000) + "\n"));
        assertTrue(request("up\u00ff\u0000\u0007 " + pair.wgA + "\n").startsWith("error the request holds a control or "
                + "non-ASCII character"));
        assertTrue(request("up " + pair.wgA + " a.sealed\n").startsWith("error 'a.sealed' is not an absolute path"));
        assertTrue(request("up " + pair.wgA + "\n").startsWith("error up needs an interface and a sealed key file"));
        assertTrue(request("").startsWith("error empty request"));
        assertEquals("error no such file: /nonexistent.sealed\n", request("up " + pair.wgA + " /nonexistent.sealed\n"));
        // a line without its newline is a request too (the client closed its side)
        assertEquals("ok " + publicA + "\n", request("up " + pair.wgA + " " + sealed));

        Tools.Output garbage = Tools.capture(dir, Map.of(), "sh", "-c", "head -c 300 /dev/urandom | nc -U -N "
                + socket);
        assertTrue(garbage.out().startsWith("error "), garbage::toString);
        Tools.Output missing = client("no" + pair.wgA, sealed.toString());
        assertEquals(1, missing.code(), missing::toString);
        assertTrue(missing.err().startsWith("tpmauth: no WireGuard interface 'no" + pair.wgA + "'"), missing::toString);
        assertEquals(0, client(pair.wgA, sealed.toString()).code(), "the agent serves on");
    }

    @Test
    @Order(4)
    void clientsAtOnceAreAllServed() throws Exception {
        List<Process> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ProcessBuilder client = new ProcessBuilder(CLIENT.toString(), pair.wgA, sealed.toString());
            client.environment().put("TPMAUTH_WG_SOCKET", socket.toString());
            clients.add(client.redirectErrorStream(true).start());
        }
        for (Process p : clients) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client finished");
            assertEquals(0, p.exitValue(), out);
            assertEquals(pair.wgA + " is up with public key " + publicA, out.strip());
        }
        assertTrue(pair.ping(), "ping through the tunnel");
    }

    @Test
    @Order(5)
    void upWithAgentAsksTheAgent() {
        pair.resetA();
        Cli.Result up = Cli.tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", pair.wgA,
                "--agent", socket.toString()).ok();
        assertEquals(pair.wgA + " is up with public key " + publicA, up.out().strip());
        assertTrue(pair.ping(), "ping through the tunnel");
        String error = Cli.tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", pair.wgA,
                "--agent", dir.resolve("nothing.sock").toString()).fails();
        assertTrue(error.contains("nothing.sock"), error);
    }

    @Test
    @Order(6)
    void afterAPcrChangeTheAgentAnswersWithThePolicyAndLeavesTheInterfaceKeylessAndDown() throws Exception {
        // swtpm serves one connection: the agent steps aside while the test reads the key and extends the PCR
        stopAgent();
        try (Tpm tpm = SWTPM.openTpm(); TpmKeys keys = new TpmKeys(tpm)) {
            rawKey = new Sealing(keys).unseal(Tss2KeyFile.read(sealed), new byte[0]);
        } finally {
            SWTPM.disconnect();
        }
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        startAgent();

        Tools.Output up = client(pair.wgA, sealed.toString());
        assertEquals(1, up.code(), up::toString);
        assertTrue(up.err().startsWith("tpmauth: the WireGuard key stays sealed: ") && up.err().contains("PolicyPCR"),
                up::toString);
        assertTrue(up.err().contains(pair.wgA + " is left down with no private key"), up::toString);
        assertTrue(pair.keylessA(), "no private key");
        assertFalse(pair.linkUpA(), "link is down");
        assertFalse(pair.ping());
    }

    @Test
    @Order(7)
    void noFileOrLogHoldsThePrivateKey() throws Exception {
        assertTrue(rawKey != null && rawKey.length == 32, "the key was read before the PCR change");
        String b64 = Base64.getEncoder().encodeToString(rawKey);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertFalse(text.contains(b64) || text.contains(new String(rawKey, StandardCharsets.ISO_8859_1)), f.toString());
        }
        assertTrue(Files.readString(dir.resolve("agent.log")).contains("ok " + publicA), "the scan saw the agent's log");
    }

    @Test
    @Order(8)
    void theAgentWarmsUpWithoutTouchingTheInterface() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // one round at least, started with the agent
        String log;
        while (!(log = Files.readString(dir.resolve("agent.log"))).contains("tpmauth wireguard agent: warmed up (")) {
            assertTrue(System.nanoTime() < deadline && !log.contains("warm-up stopped"), log);
            Thread.sleep(50);
        }
        assertTrue(pair.keylessA(), "no private key");
        assertFalse(pair.linkUpA(), "link is down");
    }

    /** The shell client, as wg-quick's PostUp runs it. */
    private static Tools.Output client(String... args) {
        List<String> command = new ArrayList<>(List.of(CLIENT.toString()));
        command.addAll(List.of(args));
        return Tools.capture(dir, Map.of("TPMAUTH_WG_SOCKET", socket.toString()), command.toArray(String[]::new));
    }

    /** Sends raw text (ISO-8859-1, so any byte) and returns the agent's whole answer. */
    private static String request(String text) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (channel.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** The agent as `tpmauth wireguard agent`, in this JVM, serving once its socket answers. */
    private static void startAgent() throws Exception {
        agent = new Thread(() -> Main.run(agentLog, agentLog, "--tcti", SWTPM.tcti(), "wireguard", "agent", "--socket",
                socket.toString(), "--netns", pair.nsA), "agent-under-test");
        agent.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                return; // an empty connection: the agent logs it as an empty request
            } catch (IOException notYet) {
                assertTrue(agent.isAlive() && System.nanoTime() < deadline, "the agent did not start: see agent.log");
                Thread.sleep(20);
            }
        }
    }

    private static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.interrupt();
            agent.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(agent.isAlive(), "the agent stopped");
            agent = null;
        }
    }
}
