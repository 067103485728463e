package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the parser of a userspace WireGuard daemon's answers with any bytes a daemon (or whatever listens on its
 * socket path) could send: an errno of at most nine digits, or a refusal with a short fixed message that quotes
 * none of the input. Seeds: resources/org/tpmauth/vpn/wireguard/UapiAnswerFuzzTestInputs/parse/.
 */
class UapiAnswerFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        try {
            int errno = UapiAnswer.parse(data).errno();
            assertTrue(errno >= 0 && errno < 1_000_000_000, "errno " + errno);
        } catch (IllegalArgumentException refused) {
            String message = refused.getMessage();
            assertTrue(message.length() < 100 && message.chars().allMatch(c -> c >= ' ' && c <= '~'), message);
        }
    }
}
