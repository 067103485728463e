package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;

/** A man in the middle sees neither the sealed secret nor the password, when sealing nor unsealing. */
class SealingWireTest {
    private static final byte[] SECRET = "wire-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASSWORD = "wire-password".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void secretAndPasswordNeverCrossTheBusInClear() {
        TappedTcti tap = new TappedTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(tap); TpmKeys keys = new TpmKeys(tpm)) {
            Sealing sealing = new Sealing(keys);
            Tss2KeyFile withPassword = sealing.seal(SECRET, PASSWORD, List.of());
            assertArrayEquals(SECRET, sealing.unseal(withPassword, PASSWORD));
            Tss2KeyFile withPcrs = sealing.seal(SECRET, new byte[0], List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0)));
            assertArrayEquals(SECRET, sealing.unseal(withPcrs, new byte[0]));
            assertTrue(tap.count(TpmCc.Unseal) >= 2, "the unseals went through the tap");
            // PCR+password: PolicyAuthValue's HMAC covers the encrypting session's nonce
            Tss2KeyFile both = sealing.seal(SECRET, PASSWORD, List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 1)));
            assertArrayEquals(SECRET, sealing.unseal(both, PASSWORD));
            byte[] wire = tap.recorded();
            assertFalse(SessionKeys.contains(wire, SECRET), "the secret crossed the bus in clear");
            assertFalse(SessionKeys.contains(wire, PASSWORD), "the password crossed the bus in clear");
        }
    }

    @Test
    void aPolicyUnsealIsOneSaltedEncryptingSession() {
        TappedTcti tap = new TappedTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(tap); TpmKeys keys = new TpmKeys(tpm)) {
            Sealing sealing = new Sealing(keys);
            Tss2KeyFile both = sealing.seal(SECRET, PASSWORD, List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 2)));
            sealing.unseal(both, PASSWORD); // the primary exists from here on
            int sessionsBefore = tap.count(TpmCc.StartAuthSession);
            int commandsBefore = tap.commandCount();
            int recordedBefore = tap.recorded().length;

            assertArrayEquals(SECRET, sealing.unseal(both, PASSWORD));

            assertEquals(1, tap.count(TpmCc.StartAuthSession) - sessionsBefore, "one session per unseal");
            // Load, StartAuthSession, PolicyPCR, PolicyAuthValue, Unseal (which ends the session), FlushContext of
            // the sealed object: the names and the salt key's public area are known from earlier
            assertEquals(6, tap.commandCount() - commandsBefore, "commands per unseal");
            assertEquals(List.of(), Capabilities.handles(tpm, TpmHandles.HT_POLICY_SESSION), "no session left");
            byte[] wire = java.util.Arrays.copyOfRange(tap.recorded(), recordedBefore, tap.recorded().length);
            assertFalse(SessionKeys.contains(wire, SECRET), "the one session encrypts the unsealed secret");
            assertFalse(SessionKeys.contains(wire, PASSWORD), "the password crossed the bus in clear");

            // a refused unseal leaves no session behind either (the TPM ends a session only on success)
            byte[] wrong = "wrong".getBytes(StandardCharsets.US_ASCII);
            assertThrows(TpmResponseException.class, () -> sealing.unseal(both, wrong));
            assertEquals(List.of(), Capabilities.handles(tpm, TpmHandles.HT_POLICY_SESSION), "no session left");
        }
    }
}
