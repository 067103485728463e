package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentRequestTest {
    @Test
    void readsAnUpLineWithSignedPolicies() {
        AgentRequest r = AgentRequest.parse("up wg0  /etc/wireguard/wg0.sealed /etc/wireguard/a.sig /b.sig ");
        assertEquals(new AgentRequest("wg0", Path.of("/etc/wireguard/wg0.sealed"),
                List.of(Path.of("/etc/wireguard/a.sig"), Path.of("/b.sig"))), r);
        assertEquals("up wg0 /etc/wireguard/wg0.sealed /etc/wireguard/a.sig /b.sig", r.toLine());
    }

    @Test
    void refusesWhatItCannotServeWithWhatItExpects() {
        assertRefused("", "unknown request ''; expected: up IFACE SEALED_PATH");
        assertRefused("down wg0 /a", "unknown request 'down'");
        assertRefused("up wg0", "up needs an interface and a sealed key file");
        assertRefused("up wg0 wg0.sealed", "'wg0.sealed' is not an absolute path");
        assertRefused("up wg0 /a\t/b", "control or non-ASCII character");
        assertRefused("up wg0 /caf\u00e9", "control or non-ASCII character");
        assertRefused("up " + "w".repeat(16) + " /a", "bad interface name");
        assertRefused("up wg/0 /a", "bad interface name 'wg/0'");
        assertRefused("up wg0 /" + "a".repeat(AgentRequest.MAX_LINE), "longer than 4096 bytes");
        assertThrows(IllegalArgumentException.class, () -> new AgentRequest("wg0", Path.of("/a b"), List.of()));
    }

    private static void assertRefused(String line, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentRequest.parse(line));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
