package org.tpmauth.attestation.quote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class ChannelBindingTest {
    @Test
    void nonceIsSha256OfLabelAndExportedBytes() throws Exception {
        byte[] exported = new byte[32];
        exported[0] = 7;
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update("tpmauth-attestation-v1\0".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(sha256.digest(exported), ChannelBinding.nonce(exported));
    }

    @Test
    void wrongLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChannelBinding.nonce(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> ChannelBinding.nonce(new byte[48]));
    }
}
