package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.LibtpmsExtension;

/** WireGuard keys in wg's format, and sealed in the in-process TPM. */
class SealedWireGuardKeyTest {
    /** The shared in-process TPM; the storage primary is flushed after the class. */
    private static final TpmKeys KEYS = new TpmKeys(LibtpmsExtension.tpm());
    private static final Sealing SEALING = new Sealing(KEYS);

    @AfterAll
    static void flushThePrimary() {
        KEYS.close();
    }

    @TempDir
    Path dir;

    /** The public key is what `wg pubkey` computes for the same private key. */
    @Test
    void publicKeyMatchesWgPubkey() throws Exception {
        WireGuardKey key = WireGuardKey.generate();
        byte[] line = key.base64Line();
        Path file = Files.write(dir.resolve("k"), line);
        Process p = new ProcessBuilder("wg", "pubkey").redirectInput(file.toFile()).start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertEquals(0, p.waitFor());
        assertEquals(expected, key.publicKey());
        assertEquals(key.publicKey(), WireGuardKey.fromBase64(line).publicKey());
        assertFalse(key.toString().contains(new String(line, StandardCharsets.US_ASCII).strip()));
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingThem() {
        for (String text : new String[] {"", "short", "%".repeat(44), "A".repeat(45)}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> WireGuardKey.fromBase64(text.getBytes(StandardCharsets.US_ASCII)));
            assertTrue(text.length() < 3 || !e.getMessage().contains(text), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> WireGuardKey.of(new byte[31]));
    }

    @Test
    void destroyedKeysAreGone() {
        WireGuardKey key = WireGuardKey.generate();
        key.destroy();
        assertTrue(key.isDestroyed());
        assertThrows(IllegalStateException.class, key::raw);
    }

    @Test
    void sealsAndUnsealsWithThePublicKeyInTheFile() throws Exception {
        WireGuardKey key = WireGuardKey.generate();
        Tss2KeyFile sealed = SealedWireGuardKey.seal(SEALING, key, "pw".getBytes(StandardCharsets.UTF_8), List.of(), null);
        Path file = dir.resolve("wg.sealed");
        sealed.writePem(file);
        Tss2KeyFile read = Tss2KeyFile.read(file);
        assertEquals(key.publicKey(), SealedWireGuardKey.publicKey(read));
        WireGuardKey back = SealedWireGuardKey.unseal(SEALING, read, "pw".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(key.raw(), back.raw());
        String pem = Files.readString(file);
        assertFalse(pem.contains(new String(key.base64Line(), StandardCharsets.US_ASCII).strip()));
    }

    /** Someone edits the description to another public key: unseal notices instead of misleading the peers. */
    @Test
    void anAlteredPublicKeyIsCaught() {
        WireGuardKey key = WireGuardKey.generate();
        Tss2KeyFile sealed = SealedWireGuardKey.seal(SEALING, key, new byte[0], List.of(), null);
        Tss2KeyFile altered = sealed.withDescription(SealedWireGuardKey.DESCRIPTION_PREFIX
                + WireGuardKey.generate().publicKey());
        var e = assertThrows(WireGuardException.class, () -> SealedWireGuardKey.unseal(SEALING, altered, new byte[0]));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void otherSealedDataIsNotAWireGuardKey() {
        Tss2KeyFile other = SEALING.seal(new byte[32], new byte[0], List.of());
        var e = assertThrows(IllegalArgumentException.class, () -> SealedWireGuardKey.publicKey(other));
        assertTrue(e.getMessage().contains("tpmauth wireguard seal"), e.getMessage());
    }
}
