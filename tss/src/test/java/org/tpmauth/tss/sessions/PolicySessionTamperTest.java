package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmIntegrityException;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.PolicyAuthValue;
import org.tpmauth.tss.commands.PolicyPassword;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.policy.PolicyKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A policy session between the caller and a tampering, recording transport: with PolicyAuthValue the
 * response HMAC catches an altered answer and the password never crosses the bus; PolicyPassword
 * sends it in clear, as the spec says.
 */
class PolicySessionTamperTest {
    private static final byte[] PASSWORD = "policy-tamper-pw-9Zk".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static TappedTcti tap;
    private static Tpm tpm;
    private static int authValueKey;
    private static int passwordKey;

    @BeforeAll
    static void connect() {
        tap = new TappedTcti(SWTPM.openTpm().tcti());
        tpm = new Tpm(tap);
        authValueKey = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).authValue(), PASSWORD);
        passwordKey = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).password(), PASSWORD);
    }

    @AfterAll
    static void flush() {
        tpm.execute(new FlushContext(authValueKey));
        tpm.execute(new FlushContext(passwordKey));
    }

    private static boolean recordedContains(byte[] secret) {
        byte[] all = tap.recorded();
        outer:
        for (int i = 0; i + secret.length <= all.length; i++) {
            for (int j = 0; j < secret.length; j++) {
                if (all[i + j] != secret[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void signThrough(IntFunction<TpmCommand<?>> policyCommand, int key, PolicySession s) {
        s.run(policyCommand.apply(s.handle()));
        assertNotNull(s.execute(PolicyKeys.sign(key), PASSWORD));
    }

    @Test
    void authValuePolicyCatchesAnAlteredResponseAndHidesThePassword() {
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            signThrough(PolicyAuthValue::new, authValueKey, s);
            assertFalse(recordedContains(PASSWORD));

            s.run(new PolicyAuthValue(s.handle()));
            tap.tamperNextResponse(20); // inside the signature
            assertThrows(TpmIntegrityException.class, () -> s.execute(PolicyKeys.sign(authValueKey), PASSWORD));
            assertThrows(IllegalStateException.class, () -> s.execute(PolicyKeys.sign(authValueKey), PASSWORD));
        }
    }

    @Test
    void passwordPolicySendsThePasswordInClear() {
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            signThrough(PolicyPassword::new, passwordKey, s);
            assertTrue(recordedContains(PASSWORD));
        }
    }
}
