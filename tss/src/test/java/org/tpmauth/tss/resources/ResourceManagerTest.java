package org.tpmauth.tss.resources;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.TpmTimeoutException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.commands.ContextLoad;
import org.tpmauth.tss.commands.ContextSave;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.GetCapability;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.sessions.AuthCommand;
import org.tpmauth.tss.sessions.AuthResponse;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.testing.LibtpmsExtension;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmCap;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuCapabilities;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/** The resource manager on real TPMs: swtpm (3 object and 3 session slots) and libtpms. */
class ResourceManagerTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final int HT_SAVED_SESSION = 0x03; // TPM_CAP_HANDLES lists saved sessions under 0x03
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        SWTPM.disconnect();
    }

    /** A resource manager on its own connection to the class's swtpm, and a Tpm on it. */
    /**
     * These tests count the objects and sessions the manager holds; the facade's default secure
     * session (an HMAC session of its own) would be one more, so it is off here.
     */
    private static Tpm plain(Tpm tpm) {
        tpm.setSecureSessions(false);
        return tpm;
    }

    private ResourceManager manager() {
        ResourceManager rm = new ResourceManager(SWTPM.openTpm().tcti());
        toClose.add(rm);
        return rm;
    }

    private static int primary(Tpm tpm, int unique) {
        return tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, TpmsSensitiveCreate.withAuth(new byte[] {
            (byte) unique}), KeyTemplates.storagePrimaryEcc(), new byte[0], List.of())).objectHandle();
    }

    private static List<Integer> transient_(Tpm raw) {
        return Capabilities.handles(raw, TpmHandles.HT_TRANSIENT);
    }

    @Test
    void tenObjectsOnThreeSlotsKeepTheirVirtualHandles() {
        ResourceManager rm = manager();
        Tpm tpm = plain(new Tpm(rm, false));
        List<Integer> handles = new ArrayList<>();
        List<byte[]> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int h = primary(tpm, i);
            handles.add(h);
            names.add(tpm.execute(new ReadPublic(h)).name());
            assertTrue(h >>> 24 == 0x80, TpmHandles.hex(h));
        }
        assertEquals(10, handles.stream().distinct().count());
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(names.get(i), tpm.execute(new ReadPublic(handles.get(i))).name());
            }
        }
        List<Integer> sorted = handles.stream().sorted(Integer::compareUnsigned).toList();
        assertEquals(sorted, transient_(tpm), "TPM_CAP_HANDLES lists the virtual handles");
        GetCapability.Response page = tpm.execute(new GetCapability(TpmCap.HANDLES, sorted.get(4), 2));
        assertTrue(page.moreData());
        assertEquals(sorted.subList(4, 6), ((TpmuCapabilities.Handles) page.capabilityData().data()).handles(),
                "from a start handle, as many as asked for");
        SWTPM.disconnect();
        assertTrue(transient_(SWTPM.tpm()).size() <= 3, "at most three objects in the TPM at a time");
        SWTPM.disconnect();
        assertEquals(10, rm.objectCount());
        for (int h : handles) {
            tpm.execute(new FlushContext(h));
        }
        assertEquals(0, rm.objectCount());
        assertEquals(List.of(), transient_(tpm));
    }

    @Test
    void slotsTakenByAnotherUserAreMadeUpForByEvictingMore() {
        Tpm raw = plain(SWTPM.tpm());
        List<Integer> others = List.of(primary(raw, 100), primary(raw, 101)); // 2 of swtpm's 3 slots
        SWTPM.disconnect();
        Tpm tpm = plain(new Tpm(manager(), false));
        List<Integer> handles = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            handles.add(primary(tpm, i)); // the second one meets TPM_RC_OBJECT_MEMORY inside the manager
        }
        for (int h : handles) {
            tpm.execute(new ReadPublic(h));
            tpm.execute(new FlushContext(h));
        }
        SWTPM.disconnect();
        assertEquals(others, transient_(raw), "the other user's objects stayed");
        others.forEach(h -> raw.execute(new FlushContext(h)));
    }

    @Test
    void flushedAndUnknownVirtualHandlesAreTpmRcHandle() {
        Tpm tpm = plain(new Tpm(manager(), false));
        int h = primary(tpm, 1);
        tpm.execute(new FlushContext(h));
        TpmResponseException used = assertThrows(TpmResponseException.class, () -> tpm.execute(new ReadPublic(h)));
        assertEquals(TpmRc.HANDLE | 0x100, used.responseCode(), "TPM_RC_HANDLE on handle 1");
        TpmResponseException flushed = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new FlushContext(h)));
        assertEquals(TpmRc.HANDLE, flushed.baseCode());
        assertEquals(List.of(), transient_(tpm));
    }

    @Test
    void usersContextSaveAndLoadWorkOnVirtualHandles() {
        Tpm tpm = plain(new Tpm(manager(), false));
        List<Integer> handles = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            handles.add(primary(tpm, i));
        }
        int first = handles.get(0); // evicted by now
        byte[] name = tpm.execute(new ReadPublic(first)).name();
        var saved = tpm.execute(new ContextSave(first)).context();
        int copy = tpm.execute(new ContextLoad(saved)).loadedHandle();
        assertNotEquals(first, copy);
        assertArrayEquals(name, tpm.execute(new ReadPublic(copy)).name());
        tpm.execute(new FlushContext(first));
        assertArrayEquals(name, tpm.execute(new ReadPublic(copy)).name(), "the copy stays");
    }

    @Test
    void closingFlushesEverything() {
        ResourceManager rm = manager();
        Tpm tpm = plain(new Tpm(rm, false));
        for (int i = 0; i < 6; i++) {
            primary(tpm, i);
        }
        startSessions(rm, 5, POLICY);
        tpm.close();
        Tpm raw = plain(SWTPM.tpm());
        assertEquals(List.of(), transient_(raw));
        assertEquals(List.of(), Capabilities.handles(raw, TpmHandles.HT_HMAC_SESSION));
        assertEquals(List.of(), Capabilities.handles(raw, HT_SAVED_SESSION));
    }

    // ---- sessions: StartAuthSession is not a typed command yet, so raw bytes

    private static final int HMAC = 0x00;
    private static final int POLICY = 0x01;

    /** TPM2_StartAuthSession, unbound and unsalted, SHA-256, no symmetric: returns the handle. */
    private static int startSession(Tcti tpm, int type) {
        byte[] response = tpm.transmit(HexFormat.of().parseHex("80010000002b00000176" + "40000007" + "40000007"
                + "0010" + "00".repeat(16) + "0000" + String.format("%02x", type) + "0010" + "000b"));
        assertEquals(TpmRc.SUCCESS, TpmReader.u32At(response, 6), HexFormat.of().formatHex(response));
        return TpmReader.u32At(response, 10);
    }

    private static List<Integer> startSessions(ResourceManager rm, int count, int type) {
        List<Integer> handles = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            handles.add(startSession(rm, type));
        }
        return handles;
    }

    /** TPM2_PolicyGetDigest: needs the policy session loaded; a fresh session's digest is zero. */
    private static byte[] policyDigest(ResourceManager rm, int session) {
        byte[] command = HexFormat.of().parseHex("80010000000e00000189" + "00000000");
        CommandLayout.putU32(command, 10, session);
        byte[] response = rm.transmit(command);
        assertEquals(TpmRc.SUCCESS, TpmReader.u32At(response, 6), HexFormat.of().formatHex(response));
        return java.util.Arrays.copyOfRange(response, 12, response.length);
    }

    /**
     * TPM_RC_CONTEXT_GAP: a session saved long ago blocks every further session ContextSave once the
     * TPM's context counter is TPM_PT_CONTEXT_GAP_MAX (swtpm: 65535) saves ahead of it. Another user of the
     * TPM pushes the counter to that limit; the manager's next eviction must close the gap (reload and
     * resave the oldest session) and go on, and the old session must still work.
     */
    @Test
    void contextGapIsClosedByResavingTheOldestSavedSession() {
        Tcti inner = SWTPM.openTpm().tcti();
        ResourceManager rm = new ResourceManager(inner);
        toClose.add(rm);
        List<Integer> sessions = startSessions(rm, 4, POLICY); // more than fit: the first is saved out
        int other = startSession(inner, POLICY); // another user's session, straight on the TPM
        byte[] save = HexFormat.of().parseHex("80010000000e00000162" + "00000000");
        int saves = 0;
        while (true) { // the TPM refuses the save, or the load of anything but the oldest, at the gap
            CommandLayout.putU32(save, 10, other);
            byte[] saved = inner.transmit(save);
            if (TpmReader.u32At(saved, 6) == TpmRc.CONTEXT_GAP) {
                break;
            }
            assertEquals(TpmRc.SUCCESS, TpmReader.u32At(saved, 6), "ContextSave after " + saves + " saves");
            byte[] load = saved.clone(); // ContextSave's response body is ContextLoad's parameter
            CommandLayout.putU32(load, 6, TpmCc.ContextLoad);
            byte[] loaded = inner.transmit(load);
            saves++;
            if (TpmReader.u32At(loaded, 6) == TpmRc.CONTEXT_GAP) {
                break;
            }
            assertEquals(TpmRc.SUCCESS, TpmReader.u32At(loaded, 6));
            assertTrue(saves <= 0x10000, "no CONTEXT_GAP after " + saves + " saves");
        }
        assertTrue(saves > 0xFF00, "the gap came after " + saves + " saves");
        byte[] flush = HexFormat.of().parseHex("80010000000e0000016500000000");
        CommandLayout.putU32(flush, 10, other);
        assertEquals(TpmRc.SUCCESS, TpmReader.u32At(inner.transmit(flush), 6));
        // every use below evicts a session, i.e. saves one: the first save meets the gap
        for (int round = 0; round < 3; round++) {
            for (int s : sessions) {
                assertArrayEquals(new byte[32], policyDigest(rm, s));
            }
        }
        for (int s : sessions) {
            new Tpm(rm, false).execute(new FlushContext(s));
        }
        assertEquals(0, rm.sessionCount());
    }

    @Test
    void fivePolicySessionsAndFiveHmacSessionsOnThreeSlots() {
        ResourceManager rm = manager();
        Tpm tpm = plain(new Tpm(rm, false));
        List<Integer> policies = startSessions(rm, 5, POLICY);
        List<Integer> hmacs = startSessions(rm, 5, HMAC);
        assertEquals(10, rm.sessionCount());
        for (int round = 0; round < 3; round++) {
            for (int s : policies) {
                assertArrayEquals(new byte[32], policyDigest(rm, s));
            }
        }
        assertTrue(Capabilities.handles(tpm, TpmHandles.HT_HMAC_SESSION).size() <= 3);
        for (int s : hmacs) {
            tpm.execute(new FlushContext(s));
        }
        for (int s : policies) {
            tpm.execute(new FlushContext(s));
        }
        assertEquals(0, rm.sessionCount());
        assertEquals(List.of(), Capabilities.handles(tpm, HT_SAVED_SESSION));
    }

    /**
     * A policy session with no policy commands run: its policyDigest is all zeros, which authorizes
     * an object whose authPolicy is all zeros (no HMAC: no PolicyAuthValue was run).
     */
    private record ZeroPolicySession(int handle, boolean continueSession) implements Session {
        @Override
        public AuthCommand authorize(CommandContext command) {
            return new AuthCommand(handle, new byte[0], continueSession ? AuthCommand.CONTINUE_SESSION : 0,
                    new byte[0]);
        }

        @Override
        public void verify(AuthResponse response, ResponseContext context) {
        }
    }

    @Test
    void policySessionsInTheAuthorizationAreaAreLoadedAndForgottenWhenNotContinued() {
        ResourceManager rm = manager();
        Tpm tpm = plain(new Tpm(rm, false));
        TpmtPublic t = KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false);
        TpmtPublic policyOnly = new TpmtPublic(t.nameAlg(), t.objectAttributes() & ~TpmaObject.USER_WITH_AUTH,
                new byte[32], t.parameters(), t.unique());
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keys.add(tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, TpmsSensitiveCreate.withAuth(new byte[] {
                (byte) i}), policyOnly, new byte[0], List.of())).objectHandle());
        }
        List<Integer> sessions = startSessions(rm, 5, POLICY);
        byte[] digest = new byte[32];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < sessions.size(); i++) {
                tpm.execute(new Sign(keys.get(i % keys.size()), digest, SigningScheme.ECDSA.withHash(TpmAlg.SHA256)),
                        new ZeroPolicySession(sessions.get(i), round == 0));
            }
        }
        assertEquals(0, rm.sessionCount(), "each session ended with continueSession clear");
        assertEquals(List.of(), Capabilities.handles(tpm, TpmHandles.HT_HMAC_SESSION));
        assertEquals(List.of(), Capabilities.handles(tpm, HT_SAVED_SESSION));
        keys.forEach(k -> tpm.execute(new FlushContext(k)));
    }

    // ---- restarts

    @Test
    void restartedSwtpmInvalidatesHeldObjectsAndNewOnesWork() {
        Tpm tpm = plain(new Tpm(manager(), false));
        int before = primary(tpm, 1);
        int evicted = primary(tpm, 2);
        for (int i = 3; i < 6; i++) {
            primary(tpm, i);
        }
        SWTPM.restart();
        // the TPM hands out the handles it held before: the manager must not confuse them
        int after = primary(tpm, 1);
        TpmResponseException gone = assertThrows(TpmResponseException.class, () -> tpm.execute(new ReadPublic(before)));
        assertEquals(TpmRc.HANDLE, gone.baseCode());
        assertThrows(TpmResponseException.class, () -> tpm.execute(new ReadPublic(evicted)));
        tpm.execute(new ReadPublic(after));
        tpm.execute(new FlushContext(before)); // forgetting a lost object is fine
        tpm.execute(new FlushContext(after));
    }

    // ---- timeouts and layering

    /** An RSA-3072 primary: seconds of prime search in swtpm; a unique of its own defeats any cache. */
    private static CreatePrimary slowPrimary() {
        TpmtPublic t = KeyTemplates.signingKey(KeyAlgorithm.RSA_3072, false);
        byte[] unique = new byte[16];
        new SecureRandom().nextBytes(unique);
        return new CreatePrimary(TpmHandles.RH_OWNER, new TpmtPublic(t.nameAlg(), t.objectAttributes(),
                t.authPolicy(), t.parameters(), new TpmuPublicId.Rsa(unique)));
    }

    @Test
    void aTimedOutCommandThrowsAndTheNextOneWorks() {
        ResourceManager rm = manager();
        Tpm tpm = plain(new Tpm(rm, false));
        TpmTimeoutException e = assertThrows(TpmTimeoutException.class, () -> tpm.execute(slowPrimary(),
                Duration.ofMillis(1)));
        assertTrue(e.getMessage().startsWith("TPM2_CreatePrimary did not complete in time"), e.getMessage());
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
        assertEquals(0, rm.objectCount(), "the primary nobody got was flushed");
        assertEquals(List.of(), transient_(tpm));
        assertEquals(8, tpm.execute(new GetRandom(8), Duration.ofSeconds(30)).randomBytes().length);
    }

    @Test
    void timeoutsAmongThreadsLeaveTheOthersCommandsWorking() throws Exception {
        ResourceManager rm = manager();
        Tpm tpm = plain(new Tpm(rm, false));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> others = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                others.add(pool.submit(() -> {
                    int bytes = 0;
                    for (int i = 0; i < 20; i++) {
                        bytes += tpm.execute(new GetRandom(4), i % 2 == 0 ? null : Duration.ofMinutes(1))
                                .randomBytes().length;
                    }
                    return bytes;
                }));
            }
            for (int i = 0; i < 3; i++) {
                assertThrows(TpmTimeoutException.class, () -> tpm.execute(slowPrimary(), Duration.ofMillis(1)));
            }
            for (Future<Integer> f : others) {
                assertEquals(80, f.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        tpm.execute(new GetRandom(1)); // waits for the last abandoned primary and its flush
        assertEquals(0, rm.objectCount());
    }

    @Test
    void aManagerOnTopOfAnotherWorksAsOverTpmrm() {
        ResourceManager inner = new ResourceManager(LibtpmsExtension.tpm().tcti());
        ResourceManager outer = new ResourceManager(inner);
        Tpm tpm = new Tpm(outer, false);
        List<Integer> handles = new ArrayList<>();
        List<byte[]> names = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            handles.add(primary(tpm, i));
            names.add(tpm.execute(new ReadPublic(handles.get(i))).name());
        }
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(names.get(i), tpm.execute(new ReadPublic(handles.get(i))).name());
        }
        assertEquals(8, outer.objectCount());
        // the inner manager holds what the outer one has loaded: its ContextLoads, at most three
        assertTrue(inner.objectCount() > 0 && inner.objectCount() <= 3, "inner: " + inner.objectCount());
        tpm.close(); // libtpms's shared transport stays open; both managers flush
        assertEquals(0, outer.objectCount());
        assertEquals(0, inner.objectCount());
        assertEquals(List.of(), transient_(LibtpmsExtension.tpm()));
    }

    // ---- malformed commands

    @Test
    void commandLayoutRejectsCutAuthorizationAreas() {
        String header = "8002" + "0000001b" + "00000176";
        assertThrows(TpmFormatException.class, () -> CommandLayout.parse(HexFormat.of().parseHex(
                header + "40000007" + "40000007" + "000000ff" + "40000009"), 2), "authorizationSize too big");
        assertThrows(TpmFormatException.class, () -> CommandLayout.parse(HexFormat.of().parseHex(
                header + "40000007" + "40000007" + "00000006" + "40000009" + "0010"), 2), "nonce cut");
        assertThrows(TpmFormatException.class, () -> CommandLayout.parse(HexFormat.of().parseHex(
                header + "40000007"), 2), "handle area cut");
        CommandLayout ok = CommandLayout.parse(HexFormat.of().parseHex(header + "40000007" + "40000007" + "00000009"
                + "40000009" + "0000" + "00" + "0000" + "abcd"), 2);
        assertEquals(List.of(new CommandLayout.AuthSession(0x40000009, false)), ok.sessions);
        assertEquals(10 + 8 + 4 + 9, ok.parameters);
    }

    @Test
    void commandCodeNeedsTheWholeHeader() {
        assertEquals(0x176, CommandLayout.commandCode(HexFormat.of().parseHex("8001" + "0000000a" + "00000176")));
        for (int length = 0; length < 10; length++) {
            byte[] cut = Arrays.copyOf(HexFormat.of().parseHex("8001" + "0000000a" + "00000176"), length);
            assertThrows(TpmFormatException.class, () -> CommandLayout.commandCode(cut), "length " + length);
        }
    }
}
