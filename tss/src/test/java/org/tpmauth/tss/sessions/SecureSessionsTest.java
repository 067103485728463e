package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmIntegrityException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.HierarchyChangeAuth;
import org.tpmauth.tss.commands.Load;
import org.tpmauth.tss.commands.NvDefineSpace;
import org.tpmauth.tss.commands.NvRead;
import org.tpmauth.tss.commands.NvUndefineSpace;
import org.tpmauth.tss.commands.NvWrite;
import org.tpmauth.tss.commands.ObjectChangeAuth;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * The facade's default: passwords and secrets travel only through a salted, encrypted HMAC session,
 * and a tampered response is caught. A man in the middle ({@link TappedTcti}) watches the bus.
 */
class SecureSessionsTest {
    private static final byte[] KEY_PASSWORD = ascii("key-password-Hq83v");
    private static final byte[] NEW_AUTH = ascii("new-auth-value-Wz5p");
    private static final byte[] SEALED_AUTH = ascii("sealed-auth-Rt62m");
    private static final byte[] SEALED_DATA = ascii("sealed-secret-data-Bn71");
    private static final byte[] NV_AUTH = ascii("nv-password-Lc09d");
    private static final byte[] NV_DATA = ascii("nv-secret-data-Yf44k");
    private static final int NV_INDEX = 0x01500041;

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static TappedTcti tap;
    private static Tpm tpm;

    @BeforeAll
    static void connect() {
        tap = new TappedTcti(SWTPM.openTpm().tcti());
        tpm = new Tpm(tap);
    }

    @AfterEach
    void secureAgain() {
        tpm.setSecureSessions(true);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void secretsCrossTheBusOnlyWhenSecureSessionsAreOff(boolean secure) throws Exception {
        tpm.setSecureSessions(secure);
        int start = tap.recorded().length;
        int srk = SessionKeys.eccPrimary(tpm);
        try {
            SessionKeys.Key key = SessionKeys.signer(tpm, srk, KEY_PASSWORD);
            SessionKeys.assertSigns(tpm, key, PasswordSession.of(KEY_PASSWORD));
            byte[] changed = tpm.execute(new ObjectChangeAuth(key.handle(), srk, NEW_AUTH),
                    PasswordSession.of(KEY_PASSWORD)).outPrivate();
            tpm.execute(new FlushContext(key.handle()));
            int reloaded = tpm.execute(new Load(srk, changed, key.created().outPublic())).objectHandle();
            SessionKeys.assertSigns(tpm, new SessionKeys.Key(reloaded, key.created()), PasswordSession.of(NEW_AUTH));
            tpm.execute(new FlushContext(reloaded));
            tpm.execute(new Create(srk, new TpmsSensitiveCreate(SEALED_AUTH, SEALED_DATA), SessionKeys.SEALED));
            tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, NV_AUTH, new TpmsNvPublic(NV_INDEX, TpmAlg.SHA256,
                    TpmaNv.AUTHWRITE | TpmaNv.AUTHREAD | TpmaNv.NO_DA, new byte[0], NV_DATA.length)));
            try {
                tpm.execute(new NvWrite(NV_INDEX, NV_INDEX, NV_DATA, 0), PasswordSession.of(NV_AUTH));
                assertArrayEquals(NV_DATA, tpm.execute(new NvRead(NV_INDEX, NV_INDEX, NV_DATA.length, 0),
                        PasswordSession.of(NV_AUTH)).data());
            } finally {
                tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, NV_INDEX));
            }
        } finally {
            tpm.execute(new FlushContext(srk));
        }
        byte[] recorded = tap.recorded();
        byte[] wire = java.util.Arrays.copyOfRange(recorded, start, recorded.length);
        Map<String, byte[]> secrets = Map.of("key password", KEY_PASSWORD, "new auth value", NEW_AUTH,
                "sealed object auth", SEALED_AUTH, "sealed data", SEALED_DATA, "NV password", NV_AUTH,
                "NV data", NV_DATA);
        secrets.forEach((what, secret) -> assertEquals(!secure, SessionKeys.contains(wire, secret),
                what + (secure ? " must not" : " should") + " be on the bus"));
    }

    @Test
    void hierarchyChangeAuthKeepsTheNewAuthOffTheBusAndTheHierarchyTakesIt() {
        byte[] ownerAuth = ascii("owner-auth-Kd27xQ");
        int start = tap.recorded().length;
        int changes = tap.count(TpmCc.HierarchyChangeAuth);
        try {
            tpm.execute(new HierarchyChangeAuth(TpmHandles.RH_OWNER, ownerAuth));
            TpmResponseException e = assertThrows(TpmResponseException.class, () -> ownerPrimary(new byte[0]));
            assertTrue(e.is(TpmRc.BAD_AUTH) || e.is(TpmRc.AUTH_FAIL), e.getMessage());
            ownerPrimary(ownerAuth);
        } finally {
            tpm.execute(new HierarchyChangeAuth(TpmHandles.RH_OWNER, new byte[0]), PasswordSession.of(ownerAuth));
        }
        ownerPrimary(new byte[0]); // reset for the other tests
        assertEquals(changes + 2, tap.count(TpmCc.HierarchyChangeAuth));
        byte[] recorded = tap.recorded();
        assertFalse(SessionKeys.contains(java.util.Arrays.copyOfRange(recorded, start, recorded.length), ownerAuth),
                "the new owner auth value must not be on the bus");
    }

    /** Creates and flushes the owner's storage primary, authorized with {@code ownerAuth}. */
    private static void ownerPrimary(byte[] ownerAuth) {
        int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc()),
                PasswordSession.of(ownerAuth)).objectHandle();
        tpm.execute(new FlushContext(srk));
    }

    @Test
    void everyCommandThroughTheSecureSessionDetectsAFlippedResponseByte() throws Exception {
        int srk = SessionKeys.eccPrimary(tpm);
        try {
            SessionKeys.Key key = SessionKeys.signer(tpm, srk, KEY_PASSWORD);
            SessionKeys.assertSigns(tpm, key, PasswordSession.of(KEY_PASSWORD));
            int length = tap.lastResponseLength();
            // the signature, the middle, the nonce, the attributes and the HMAC of the response
            for (int position : List.of(14, length / 2, length - 50, length - 35, length - 1)) {
                tap.tamperNextResponse(position);
                assertThrows(TpmIntegrityException.class, () -> SessionKeys.assertSigns(tpm, key,
                        PasswordSession.of(KEY_PASSWORD)), "byte " + position + " of " + length);
                SessionKeys.assertSigns(tpm, key, PasswordSession.of(KEY_PASSWORD)); // a new session
            }
            tap.tamperNextResponse(0); // the tag: malformed, so the session's nonces are out of step
            assertThrows(TpmFormatException.class, () -> SessionKeys.assertSigns(tpm, key,
                    PasswordSession.of(KEY_PASSWORD)));
            SessionKeys.assertSigns(tpm, key, PasswordSession.of(KEY_PASSWORD));
            tap.tamperNextResponse(16);
            assertThrows(TpmIntegrityException.class, () -> tpm.execute(new Create(srk,
                    TpmsSensitiveCreate.withAuth(NEW_AUTH), SessionKeys.ECC_SIGNER)));
            tpm.execute(new FlushContext(key.handle()));
        } finally {
            tpm.execute(new FlushContext(srk));
        }
    }

    @Test
    void aWrongPasswordIsReportedThroughTheHmacSession() throws Exception {
        int srk = SessionKeys.eccPrimary(tpm);
        try {
            SessionKeys.Key key = SessionKeys.signer(tpm, srk, KEY_PASSWORD);
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> SessionKeys.assertSigns(tpm, key, PasswordSession.of(ascii("wrong"))));
            assertTrue(e.is(TpmRc.BAD_AUTH), e.getMessage());
            assertTrue(e.getMessage().contains("TPM_RC_BAD_AUTH"), e.getMessage());
            SessionKeys.assertSigns(tpm, key, PasswordSession.of(KEY_PASSWORD));
            tpm.execute(new FlushContext(key.handle()));
        } finally {
            tpm.execute(new FlushContext(srk));
        }
    }

    @Test
    void oneSessionServesManyCommandsAndIsRestartedAfterTheTpmLostIt() throws Exception {
        int srk = SessionKeys.eccPrimary(tpm);
        SessionKeys.Key key = SessionKeys.signer(tpm, srk, KEY_PASSWORD);
        int before = tap.count(TpmCc.StartAuthSession);
        for (int i = 0; i < 5; i++) {
            SessionKeys.assertSigns(tpm, key, PasswordSession.of(KEY_PASSWORD));
        }
        assertTrue(tap.count(TpmCc.StartAuthSession) - before <= 1, "at most one new session for five signatures");
        int started = tap.count(TpmCc.StartAuthSession);
        SWTPM.powerCycle(); // sessions and transient objects are gone
        int srkAgain = SessionKeys.eccPrimary(tpm);
        int keyAgain = tpm.execute(new Load(srkAgain, key.created().outPrivate(), key.created().outPublic()))
                .objectHandle();
        SessionKeys.assertSigns(tpm, new SessionKeys.Key(keyAgain, key.created()), PasswordSession.of(KEY_PASSWORD));
        assertEquals(started + 1, tap.count(TpmCc.StartAuthSession));
        tpm.execute(new FlushContext(keyAgain));
        tpm.execute(new FlushContext(srkAgain));
    }
}
