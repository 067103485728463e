package org.tpmauth.tss.resources;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.commands.ContextLoad;
import org.tpmauth.tss.commands.ContextSave;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmCap;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaCc;
import org.tpmauth.tss.types.TpmsContext;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A resource manager in front of a transport, as tpm2-abrmd and the kernel's /dev/tpmrm0 are: its
 * user may keep any number of transient objects and sessions although the TPM holds only a few
 * (swtpm: 3 of each).
 *
 * <p>It works on command and response bytes. Transient objects get virtual handles (0x80ffffff
 * downwards) that stay valid while the object moves in and out of the TPM; handles in command and
 * response handle areas and FlushContext's parameter are rewritten. Sessions keep their handle (a
 * session's handle is its name, which HMACs cover; a saved session stays active in the TPM). Before
 * a command, the objects and sessions it names are loaded (ContextLoad), least recently used ones
 * evicted (ContextSave, and FlushContext for objects) so at most the TPM's minimum number of objects
 * (and one session fewer) is loaded; TPM_RC_OBJECT_MEMORY / SESSION_MEMORY (other users of the TPM)
 * evict more and resend, TPM_RC_CONTEXT_GAP reloads and re-saves the oldest saved session. How many handles each command
 * carries comes from its TPMA_CC (TPM2_GetCapability(TPM_CAP_COMMANDS), read once).
 * TPM_CAP_HANDLES for transient objects lists the virtual handles held; transient handles it did not
 * hand out are refused with TPM_RC_HANDLE (they may belong to another user of the TPM).
 *
 * <p>A TPM that lost its state (restarted: a Startup passes through, TPM_RC_INITIALIZE, a saved
 * context that no longer loads, a loaded handle reported missing, a new handle equal to one held)
 * invalidates everything held: objects answer TPM_RC_HANDLE until flushed, so the layers above
 * (TpmKeys) load them again. Not thread-safe by itself; {@link Tpm} serialises commands.
 */
public final class ResourceManager implements Tcti {
    private static final int VIRTUAL_FIRST = 0x80FFFFFF;
    private static final int VIRTUAL_LAST = 0x80800000;
    /** The kernel's /dev/tpmrm0 keeps at most 3 objects and 3 sessions per connection. */
    private static final int MAX_SLOTS = 3;
    private static final int RC_H1 = 0x100;
    private static final int RC_P = 0x040;
    private static final int REFERENCE_S0 = 0x918;
    /** MAX_CAP_HANDLES of the reference TPM: as many handles as one answer carries. */
    private static final int MAX_CAP_HANDLES = 254;

    private final Tcti inner;
    /** Runs the manager's own ContextSave / ContextLoad / FlushContext on the inner transport. */
    private final Tpm direct;
    private Map<Integer, Integer> attributes;
    private int objectSlots;
    private int sessionSlots;
    private final Map<Integer, Resident> objects = new HashMap<>();
    private long swapIns;
    private final Map<Integer, Resident> sessions = new HashMap<>();
    private int nextVirtual = VIRTUAL_FIRST;
    private long clock;

    /** Thrown inside when the TPM turns out to have lost what it held; the command starts over. */
    private static final class LostState extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LostState() {
            super(null, null, false, false);
        }
    }

    public ResourceManager(Tcti inner) {
        this.inner = inner;
        this.direct = new Tpm(inner, false);
    }

    @Override
    public synchronized byte[] transmit(byte[] command) {
        int commandCode = CommandLayout.commandCode(command);
        if (commandCode == TpmCc.Startup) {
            byte[] response = inner.transmit(command);
            if (responseCode(response) == TpmRc.SUCCESS) {
                forgetAll();
            }
            return response;
        }
        Integer tpmaCc = attributes().get(commandCode);
        if (tpmaCc == null) {
            return inner.transmit(command); // the TPM answers TPM_RC_COMMAND_CODE
        }
        CommandLayout layout = CommandLayout.parse(command, TpmaCc.commandHandles(tpmaCc));
        if (commandCode == TpmCc.FlushContext) {
            return flush(command, layout);
        }
        if (commandCode == TpmCc.GetCapability && asksForTransientHandles(command, layout)) {
            return transientHandles(command, layout);
        }
        try {
            return run(command, layout, TpmaCc.responseHandle(tpmaCc));
        } catch (LostState lost) {
            // everything is invalid now: the virtual handles answer TPM_RC_HANDLE, new objects work
        }
        try {
            return run(command, layout, TpmaCc.responseHandle(tpmaCc));
        } catch (LostState again) {
            throw new TpmException("the TPM at " + inner.describe() + " lost its objects twice while "
                    + TpmCc.nameOf(commandCode) + " was prepared: is it restarting over and over?");
        }
    }

    /** How often an object or session was loaded back (ContextLoad) for a command: the cost of swapping. */
    public synchronized long swapIns() {
        return swapIns;
    }

    /**
     * Whether a command naming {@code handle} finds it in the TPM without a ContextLoad: true for
     * handles this manager does not virtualize, and for its objects and sessions loaded now.
     */
    public synchronized boolean isLoaded(int handle) {
        Resident r = isObject(handle) ? objects.get(handle) : isSession(handle) ? sessions.get(handle) : null;
        return r == null || r.loaded;
    }

    /** The transient objects held (virtual handles), for tests and diagnostics. */
    public synchronized int objectCount() {
        return objects.size();
    }

    /** The sessions held, loaded or saved. */
    public synchronized int sessionCount() {
        return sessions.size();
    }

    private byte[] run(byte[] original, CommandLayout layout, boolean returnsHandle) {
        byte[] command = original.clone();
        List<Resident> used = new ArrayList<>(4); // the objects and sessions of one command
        for (int i = 0; i < layout.handleCount; i++) {
            int handle = TpmReader.u32At(original, CommandLayout.handleOffset(i));
            if (isObject(handle)) {
                Resident r = objects.get(handle);
                if (r == null || r.stale) {
                    return error(TpmRc.HANDLE | (RC_H1 * (i + 1)));
                }
                load(r, used);
                CommandLayout.putU32(command, CommandLayout.handleOffset(i), r.real);
            } else {
                loadSession(handle, used);
            }
        }
        for (CommandLayout.AuthSession s : layout.sessions) { // loops, not streams: this runs per command
            loadSession(s.handle(), used);
        }
        if (returnsHandle) {
            makeRoom(createsSession(original, layout), used);
        }
        byte[] response = send(command, used);
        int rc = responseCode(response);
        for (Resident r : used) {
            r.lastUse = ++clock;
        }
        if (rc != TpmRc.SUCCESS) {
            noticeLoss(rc, original, layout);
            return response;
        }
        for (CommandLayout.AuthSession s : layout.sessions) {
            if (!s.continueSession()) {
                sessions.remove(s.handle());
            }
        }
        if (layout.commandCode == TpmCc.ContextSave) {
            sessions.remove(TpmReader.u32At(original, CommandLayout.handleOffset(0))); // the session left the TPM
        }
        return returnsHandle ? adopt(response) : response;
    }

    /** Sends a prepared command, making room and resending while the TPM is full. */
    private byte[] send(byte[] command, List<Resident> used) {
        int resends = objects.size() + sessions.size() + 1; // each resend evicts or re-saves one of them
        while (true) {
            byte[] response = inner.transmit(command);
            int rc = TpmRc.base(responseCode(response));
            boolean again = resends-- > 0 && ((rc == TpmRc.OBJECT_MEMORY && evictOne(false, used))
                    || (rc == TpmRc.SESSION_MEMORY && evictOne(true, used))
                    || (rc == TpmRc.CONTEXT_GAP && regap()));
            if (!again) {
                return response;
            }
        }
    }

    private boolean createsSession(byte[] command, CommandLayout layout) {
        if (layout.commandCode == TpmCc.ContextLoad) {
            // TPMS_CONTEXT: sequence (u64), then savedHandle
            return isSession(TpmReader.u32At(command, layout.parameters + 8));
        }
        return layout.commandCode == TpmCc.StartAuthSession;
    }

    /** Records the object or session a command created, giving an object its virtual handle. */
    private byte[] adopt(byte[] response) {
        int handle = TpmReader.u32At(response, CommandLayout.HEADER);
        Map<Integer, Resident> held = isObject(handle) ? objects : isSession(handle) ? sessions : null;
        if (held == null) {
            return response;
        }
        boolean reused = held.values().stream().anyMatch(r -> r.loaded && !r.stale && r.real == handle);
        if (reused) {
            forgetAll(); // the TPM handed out a handle we hold: it lost our objects
        }
        Resident created = new Resident(held == sessions, handle);
        created.lastUse = ++clock;
        if (created.session) {
            sessions.put(handle, created);
            return response;
        }
        int virtual = allocate();
        objects.put(virtual, created);
        byte[] out = response.clone();
        CommandLayout.putU32(out, CommandLayout.HEADER, virtual);
        return out;
    }

    private int allocate() {
        while (objects.containsKey(nextVirtual)) {
            step();
        }
        int virtual = nextVirtual;
        step();
        return virtual;
    }

    private void step() {
        nextVirtual = nextVirtual == VIRTUAL_LAST ? VIRTUAL_FIRST : nextVirtual - 1;
    }

    /** TPM_RC_REFERENCE_Hn / Sn about something we believed loaded: the TPM lost it. */
    private void noticeLoss(int rc, byte[] original, CommandLayout layout) {
        int base = TpmRc.base(rc);
        if (base == TpmRc.INITIALIZE) {
            forgetAll();
            return;
        }
        int h = base - TpmRc.REFERENCE_H0;
        if (h >= 0 && h < layout.handleCount) {
            int handle = TpmReader.u32At(original, CommandLayout.handleOffset(h));
            if (objects.containsKey(handle) || sessions.containsKey(handle)) {
                forgetAll();
            }
        }
        int s = base - REFERENCE_S0;
        if (s >= 0 && s < layout.sessions.size() && sessions.containsKey(layout.sessions.get(s).handle())) {
            forgetAll();
        }
    }

    private byte[] flush(byte[] command, CommandLayout layout) {
        int handle = TpmReader.u32At(command, layout.parameters);
        if (isSession(handle)) {
            sessions.remove(handle); // a saved session is flushed by its handle too
            return inner.transmit(command);
        }
        if (!isObject(handle)) {
            return inner.transmit(command);
        }
        Resident r = objects.remove(handle);
        if (r == null) {
            return error(TpmRc.HANDLE | RC_P | RC_H1);
        }
        if (r.loaded && !r.stale) {
            try {
                flushReal(r.real);
            } catch (LostState gone) {
                // gone with everything else the TPM held
            }
        }
        return new byte[] {(byte) 0x80, 0x01, 0, 0, 0, 0x0a, 0, 0, 0, 0};
    }

    private static boolean asksForTransientHandles(byte[] command, CommandLayout layout) {
        return TpmReader.u32At(command, layout.parameters) == TpmCap.HANDLES
                && isObject(TpmReader.u32At(command, layout.parameters + 4));
    }

    /** TPM_CAP_HANDLES for transient objects lists the virtual handles held, as the TPM would list its own. */
    private byte[] transientHandles(byte[] command, CommandLayout layout) {
        int first = TpmReader.u32At(command, layout.parameters + 4);
        int count = TpmReader.u32At(command, layout.parameters + 8);
        List<Integer> held = objects.entrySet().stream().filter(e -> !e.getValue().stale).map(Map.Entry::getKey)
                .filter(h -> Integer.compareUnsigned(h, first) >= 0).sorted(Integer::compareUnsigned).toList();
        int n = Math.min(held.size(), Math.min(Math.max(count, 0), MAX_CAP_HANDLES));
        return TpmWriter.marshal(out -> {
            out.u16(TpmSt.NO_SESSIONS).u32(CommandLayout.HEADER + 1 + 4 + 4 + 4 * n).u32(TpmRc.SUCCESS);
            out.u8(n < held.size() ? 1 : 0).u32(TpmCap.HANDLES).u32(n);
            held.subList(0, n).forEach(out::u32);
        });
    }

    private void loadSession(int handle, List<Resident> used) {
        Resident r = isSession(handle) ? sessions.get(handle) : null;
        if (r != null) {
            load(r, used);
        }
    }

    /** Makes a resident loaded and keeps it (pinned) for the running command. */
    private void load(Resident r, List<Resident> used) {
        if (!r.loaded) {
            makeRoom(r.session, used);
            int handle = contextLoad(r, used);
            if (!r.session && objects.values().stream().anyMatch(o -> o.loaded && !o.stale && o.real == handle)) {
                forgetAll();
                throw new LostState();
            }
            r.real = handle;
            r.loaded = true;
            if (r.session) {
                r.saved = null; // a session context loads once
            }
        }
        used.add(r);
    }

    private int contextLoad(Resident r, List<Resident> used) {
        int regaps = sessions.size(); // bounded: another user's session may be the one at the gap
        while (true) {
            try {
                int handle = direct.execute(new ContextLoad(r.saved)).loadedHandle();
                swapIns++;
                return handle;
            } catch (TpmResponseException e) {
                boolean full = e.is(r.session ? TpmRc.SESSION_MEMORY : TpmRc.OBJECT_MEMORY);
                // at the gap the TPM loads only the oldest saved session
                boolean gap = r.session && e.is(TpmRc.CONTEXT_GAP);
                if (!(full && evictOne(r.session, used)) && !(gap && regaps-- > 0 && regap())) {
                    // a context of ours that does not load was saved before the TPM was reset
                    forgetAll();
                    throw new LostState();
                }
            }
        }
    }

    private void makeRoom(boolean session, List<Resident> used) {
        int slots = session ? sessionSlots : objectSlots;
        Map<Integer, Resident> held = session ? sessions : objects;
        while (held.values().stream().filter(r -> r.loaded).count() >= slots && evictOne(session, used)) {
            // evictOne made one slot free
        }
    }

    /** Evicts the least recently used loaded object (or session) the running command does not use. */
    private boolean evictOne(boolean session, List<Resident> used) {
        Resident victim = (session ? sessions : objects).values().stream()
                .filter(r -> r.loaded && !r.stale && !used.contains(r))
                .min(Comparator.comparingLong(r -> r.lastUse)).orElse(null);
        if (victim == null) {
            return false;
        }
        if (victim.saved == null) {
            victim.saved = contextSave(victim);
        }
        if (!victim.session) {
            flushReal(victim.real);
        }
        victim.loaded = false;
        return true;
    }

    private TpmsContext contextSave(Resident r) {
        int regaps = sessions.size(); // each regap moves one of our saved sessions past the gap
        while (true) {
            try {
                return direct.execute(new ContextSave(r.real)).context();
            } catch (TpmResponseException e) {
                if (e.is(TpmRc.CONTEXT_GAP) && regaps-- > 0 && regap()) {
                    continue;
                }
                if (isLoss(e)) {
                    forgetAll();
                    throw new LostState();
                }
                throw e;
            }
        }
    }

    /**
     * TPM_RC_CONTEXT_GAP: the oldest saved session is too old for the TPM's context counter; loading
     * and saving it again gives it a new one. It loads into the session slot kept free for this
     * (the TPM itself refuses to start a session into its last slot while the gap is at its maximum).
     */
    private boolean regap() {
        Resident oldest = sessions.values().stream().filter(r -> !r.loaded && r.saved != null)
                .min(Comparator.comparingLong(r -> r.saved.sequence())).orElse(null);
        if (oldest == null) {
            return false;
        }
        try {
            oldest.real = direct.execute(new ContextLoad(oldest.saved)).loadedHandle();
            oldest.loaded = true;
            oldest.saved = direct.execute(new ContextSave(oldest.real)).context();
            oldest.loaded = false;
            return true;
        } catch (TpmResponseException e) {
            return false;
        }
    }

    private void flushReal(int real) {
        try {
            direct.execute(new FlushContext(real));
        } catch (TpmResponseException e) {
            if (!isLoss(e)) {
                throw e;
            }
            forgetAll(); // gone already: the TPM lost its state
            throw new LostState();
        }
    }

    private static boolean isLoss(TpmResponseException e) {
        int base = e.baseCode();
        return base == TpmRc.HANDLE || base == TpmRc.REFERENCE_H0 || base == TpmRc.INITIALIZE;
    }

    /** The TPM lost (or will lose) everything it held for us. */
    private void forgetAll() {
        for (Resident r : objects.values()) {
            r.stale = true;
            r.loaded = false;
            r.saved = null;
        }
        sessions.clear();
    }

    private Map<Integer, Integer> attributes() {
        if (attributes == null) {
            Map<Integer, Integer> byCode = new HashMap<>();
            for (int tpmaCc : Capabilities.commands(direct)) {
                byCode.put(TpmaCc.commandCode(tpmaCc), tpmaCc);
            }
            Map<Integer, Integer> slots = Capabilities.properties(direct, TpmPt.HR_TRANSIENT_MIN, TpmPt.HR_LOADED_MIN);
            objectSlots = Math.min(MAX_SLOTS, slots.getOrDefault(TpmPt.HR_TRANSIENT_MIN, MAX_SLOTS));
            // one session slot stays free, for regap()
            sessionSlots = Math.max(1, Math.min(MAX_SLOTS, slots.getOrDefault(TpmPt.HR_LOADED_MIN, MAX_SLOTS)) - 1);
            attributes = byCode;
        }
        return attributes;
    }

    private static boolean isObject(int handle) {
        return TpmHandles.type(handle) == TpmHandles.HT_TRANSIENT;
    }

    private static boolean isSession(int handle) {
        int type = TpmHandles.type(handle);
        return type == TpmHandles.HT_HMAC_SESSION || type == TpmHandles.HT_POLICY_SESSION;
    }

    private static int responseCode(byte[] response) {
        return TpmReader.u32At(response, 6);
    }

    private static byte[] error(int rc) {
        byte[] response = {(byte) 0x80, 0x01, 0, 0, 0, 0x0a, 0, 0, 0, 0};
        CommandLayout.putU32(response, 6, rc);
        return response;
    }

    @Override
    public void cancel() {
        inner.cancel();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    /** Flushes every object and session held, then closes the transport. */
    @Override
    public synchronized void close() {
        try {
            for (Resident r : objects.values()) {
                if (r.loaded && !r.stale) {
                    flushQuietly(r.real);
                }
            }
            sessions.keySet().forEach(this::flushQuietly);
            objects.clear();
            sessions.clear();
        } finally {
            inner.close();
        }
    }

    private void flushQuietly(int real) {
        try {
            direct.execute(new FlushContext(real));
        } catch (TpmException e) {
            // already gone, or the TPM is unreachable: nothing left to free
        }
    }
}
