package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the agent's request parser with any line a client could send (bytes as ISO-8859-1, as the agent reads
 * them): it either yields a request that its own line reads back into, or refuses with one bounded printable line
 * (the answer the client gets). Seeds: resources/org/tpmauth/vpn/wireguard/AgentRequestFuzzTestInputs/parse/.
 */
class AgentRequestFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        String line = new String(data, StandardCharsets.ISO_8859_1);
        try {
            AgentRequest request = AgentRequest.parse(line);
            assertEquals(request, AgentRequest.parse(request.toLine()));
        } catch (IllegalArgumentException refused) {
            String message = refused.getMessage();
            assertTrue(message.length() < 400 && message.chars().allMatch(c -> c >= ' ' && c <= '~'), message);
        }
    }
}
