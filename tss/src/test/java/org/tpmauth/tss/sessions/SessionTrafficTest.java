package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;

/**
 * What a secure session costs on the bus: once started, a signature through it is one TPM2_Sign and
 * nothing else (no new session, no ContextSave / ContextLoad of the key, the salt key or the session,
 * no ReadPublic), with the resource manager on swtpm's three object slots.
 */
class SessionTrafficTest {
    private static final byte[] PASSWORD = "traffic-password".getBytes(StandardCharsets.US_ASCII);
    private static final int SIGNATURES = 5;

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void aSignThroughAContinuedSaltedEncryptingSessionIsOneCommand() {
        TappedTcti tap = new TappedTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(tap, true); TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, PASSWORD, TpmHandles.RH_OWNER), PASSWORD);
            int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
            try (HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(srk))) {
                Session auth = session.withAuth(PASSWORD, true);
                Sign sign = new Sign(key.handle(), new byte[32], SigningScheme.ECDSA.withHash(TpmAlg.SHA256));
                tpm.execute(sign, auth);
                int sessions = tap.count(TpmCc.StartAuthSession);
                for (int i = 0; i < SIGNATURES; i++) {
                    int before = tap.commandCount();
                    tpm.execute(sign, auth);
                    assertEquals(1, tap.commandCount() - before, "commands for one signature");
                }
                assertEquals(sessions, tap.count(TpmCc.StartAuthSession), "the session was continued");
            } finally {
                tpm.execute(new FlushContext(srk));
            }
            keys.unload(key);
        }
    }

    @Test
    void aPasswordKeySignsThroughTheDefaultSecureSessionInOneCommand() {
        TappedTcti tap = new TappedTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(tap, true); TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, PASSWORD, TpmHandles.RH_OWNER), PASSWORD);
            byte[] digest = new byte[32];
            keys.signRaw(key, digest, TpmAlg.SHA256, SigningScheme.ECDSA);
            for (int i = 0; i < SIGNATURES; i++) {
                int before = tap.commandCount();
                keys.signRaw(key, digest, TpmAlg.SHA256, SigningScheme.ECDSA);
                assertEquals(List.of(TpmCc.Sign), tap.commandsSince(before), "commands for one signature");
            }
            keys.unload(key);
        }
    }
}
