package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmIntegrityException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.NvDefineSpace;
import org.tpmauth.tss.commands.NvRead;
import org.tpmauth.tss.commands.NvUndefineSpace;
import org.tpmauth.tss.commands.NvWrite;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtSymDefObject;

/** Explicit HMAC sessions against swtpm: the TPM accepts our HMACs and our parameter encryption. */
class HmacSessionTest {
    private static final byte[] PASSWORD = "hmac-session-pw-7Qx".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static TappedTcti tap;
    private static Tpm tpm;
    private static int eccSrk;
    private static int rsaSrk;

    @BeforeAll
    static void connect() {
        tap = new TappedTcti(SWTPM.openTpm().tcti());
        tpm = new Tpm(tap);
        eccSrk = SessionKeys.eccPrimary(tpm);
        rsaSrk = SessionKeys.rsaPrimary(tpm);
    }

    /** The session kinds the TPM must accept. */
    enum Kind {
        UNSALTED, SALTED_RSA, SALTED_ECC, BOUND_TO_PARENT, SALTED_AND_BOUND, XOR, NO_PARAMETER_ENCRYPTION;

        SessionOptions options() {
            SessionOptions o = SessionOptions.unsalted();
            return switch (this) {
                case UNSALTED -> o;
                case SALTED_RSA -> o.saltedTo(rsaSrk);
                case SALTED_ECC -> o.saltedTo(eccSrk);
                case BOUND_TO_PARENT -> o.boundTo(eccSrk, new byte[0]);
                case SALTED_AND_BOUND -> o.saltedTo(eccSrk).boundTo(rsaSrk, new byte[0]);
                case XOR -> o.saltedTo(eccSrk).withSymmetric(new TpmtSymDefObject.Xor(TpmAlg.SHA256));
                case NO_PARAMETER_ENCRYPTION -> o.withSymmetric(TpmtSymDefObject.NULL);
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void createsLoadsAndSignsThroughOneSession(Kind kind) throws Exception {
        try (HmacSession session = HmacSession.start(tpm, kind.options())) {
            SessionKeys.Key key = SessionKeys.signer(tpm, eccSrk, PASSWORD, session);
            try {
                for (int i = 0; i < 3; i++) { // the nonces roll
                    SessionKeys.assertSigns(tpm, key, session.withAuth(PASSWORD));
                }
                if (kind != Kind.NO_PARAMETER_ENCRYPTION) { // an extra session must encrypt (or audit)
                    assertEquals(32, tpm.execute(new GetRandom(32), session).randomBytes().length);
                }
                assertTrue(session.isUsable());
            } finally {
                tpm.execute(new FlushContext(key.handle()));
            }
        }
    }

    @Test
    void aSessionBoundToTheKeyItAuthorizesLeavesTheAuthValueOutOfTheHmac() throws Exception {
        SessionKeys.Key key = SessionKeys.signer(tpm, eccSrk, PASSWORD);
        try (HmacSession bound = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(eccSrk)
                .boundTo(key.handle(), PASSWORD))) {
            SessionKeys.assertSigns(tpm, key, bound.withAuth(PASSWORD));
            tpm.execute(new FlushContext(key.handle())); // Create needs a free object slot
            // the parent is not the bind entity: its (empty) auth value is part of the HMAC key
            tpm.execute(new Create(eccSrk, TpmsSensitiveCreate.withAuth(PASSWORD), SessionKeys.ECC_SIGNER), bound);
        }
    }

    @Test
    void aWrongPasswordIsRefusedByTheTpmAndTheSessionStaysUsable() throws Exception {
        SessionKeys.Key key = SessionKeys.signer(tpm, eccSrk, PASSWORD);
        try (HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(eccSrk))) {
            TpmResponseException e = assertThrows(TpmResponseException.class, () -> SessionKeys.assertSigns(tpm, key,
                    session.withAuth("wrong".getBytes(StandardCharsets.US_ASCII))));
            assertTrue(e.is(TpmRc.BAD_AUTH), e.getMessage());
            assertTrue(e.getMessage().contains("wrong authorization"), e.getMessage());
            SessionKeys.assertSigns(tpm, key, session.withAuth(PASSWORD));
        } finally {
            tpm.execute(new FlushContext(key.handle()));
        }
    }

    @Test
    void nvDataIsEncryptedBothWaysAndRoundTrips() {
        int index = 0x01500031;
        byte[] nvAuth = "nv-auth-Zp4".getBytes(StandardCharsets.US_ASCII);
        byte[] data = "nv-secret-data-0123456789abcdef!".getBytes(StandardCharsets.US_ASCII);
        tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, nvAuth, new TpmsNvPublic(index, TpmAlg.SHA256,
                TpmaNv.AUTHWRITE | TpmaNv.AUTHREAD | TpmaNv.NO_DA, new byte[0], data.length)));
        try (HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(eccSrk))) {
            int before = tap.recorded().length;
            tpm.execute(new NvWrite(index, index, data, 0), session.withAuth(nvAuth));
            byte[] read = tpm.execute(new NvRead(index, index, data.length, 0), session.withAuth(nvAuth)).data();
            assertArrayEquals(data, read);
            byte[] wire = java.util.Arrays.copyOfRange(tap.recorded(), before, tap.recorded().length);
            assertFalse(SessionKeys.contains(wire, data), "the NV data never crosses the bus in clear");
        } finally {
            tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, index));
        }
    }

    @Test
    void randomBytesThroughAnEncryptingSessionNeverShowOnTheBus() {
        try (HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(eccSrk))) {
            int before = tap.recorded().length;
            byte[] encrypted = tpm.execute(new GetRandom(32), session).randomBytes();
            byte[] plain = tpm.execute(new GetRandom(32)).randomBytes();
            byte[] wire = java.util.Arrays.copyOfRange(tap.recorded(), before, tap.recorded().length);
            assertFalse(SessionKeys.contains(wire, encrypted), "the encrypted response hides the bytes");
            assertTrue(SessionKeys.contains(wire, plain), "without a session they are in clear");
        }
    }

    @Test
    void aFlippedResponseByteIsCaughtAndTheResponseDiscarded() {
        HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(eccSrk));
        tpm.execute(new GetRandom(16), session);
        tap.tamperNextResponse(20); // inside the encrypted random bytes
        assertThrows(TpmIntegrityException.class, () -> tpm.execute(new GetRandom(16), session));
        assertFalse(session.isUsable());
        assertThrows(IllegalStateException.class, () -> tpm.execute(new GetRandom(16), session));
        session.close();
    }
}
