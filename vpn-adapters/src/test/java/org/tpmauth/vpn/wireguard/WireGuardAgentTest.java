package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's socket side with a stand-in bring-up (WireguardAgentCliTest runs the real one on wireguard-go): what
 * a client gets back when the bring-up fails, when the agent is full, and that it serves on after both.
 */
class WireGuardAgentTest {
    private static final AgentRequest REQUEST = new AgentRequest("wg0", Path.of("/etc/wireguard/wg0.sealed"), List.of());

    @TempDir
    Path dir;

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private WireGuardAgent start(WireGuardAgent.Handler handler) throws IOException {
        return WireGuardAgent.start(dir.resolve("agent.sock"), handler, Throwable::getMessage, log::add);
    }

    @Test
    void aFailedBringUpIsTheClientsErrorAndTheAgentServesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (WireGuardAgent agent = start(request -> {
            if (calls.incrementAndGet() == 1) {
                throw new WireGuardException("the WireGuard key stays sealed: PolicyPCR failed; wg0 is left down");
            }
            return "PUBKEY=" + request.iface();
        })) {
            WireGuardException e = assertThrows(WireGuardException.class, () -> WireGuardAgent.request(agent.socket(), REQUEST));
            assertEquals("the WireGuard key stays sealed: PolicyPCR failed; wg0 is left down", e.getMessage());
            assertEquals("PUBKEY=wg0", WireGuardAgent.request(agent.socket(), REQUEST));
            assertEquals(2, calls.get());
            assertTrue(log.stream().anyMatch(l -> l.contains(REQUEST.toLine()) && l.contains("error the WireGuard key")),
                    log::toString);
        }
    }

    @Test
    void aFullAgentSaysSoAndServesAgainWhenClientsLeave() throws Exception {
        try (WireGuardAgent agent = start(request -> "PUBKEY")) {
            List<SocketChannel> silent = new ArrayList<>();
            try {
                for (int i = 0; i < WireGuardAgent.MAX_CONNECTIONS; i++) {
                    silent.add(SocketChannel.open(UnixDomainSocketAddress.of(agent.socket())));
                }
                WireGuardException busy = assertThrows(WireGuardException.class,
                        () -> WireGuardAgent.request(agent.socket(), REQUEST));
                assertEquals("the agent is serving " + WireGuardAgent.MAX_CONNECTIONS + " clients; try again",
                        busy.getMessage());
            } finally {
                for (SocketChannel c : silent) {
                    c.close();
                }
            }
            assertEquals("PUBKEY", requestUntilServed(agent));
        }
    }

    @Test
    void aClientThatSendsNothingGetsTheUsage() throws Exception {
        try (WireGuardAgent agent = start(request -> "PUBKEY");
                SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(agent.socket()))) {
            c.shutdownOutput();
            ByteBuffer answer = ByteBuffer.allocate(1024);
            while (c.read(answer) >= 0) {
                // until the agent closes
            }
            assertEquals("error empty request; expected: " + AgentRequest.USAGE + "\n",
                    new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII));
        }
    }

    /** The silent clients' connections end as they close, each in its own worker: until one is free again. */
    private static String requestUntilServed(WireGuardAgent agent) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                return WireGuardAgent.request(agent.socket(), REQUEST);
            } catch (WireGuardException busy) {
                assertTrue(busy.getMessage().contains("try again") && System.nanoTime() < deadline, busy.getMessage());
                Thread.sleep(10);
            }
        }
    }
}
