package org.tpmauth.attestation.eventlog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Reads a TCG PC Client boot event log one event at a time, in bounded memory (only the current
 * event is held): the SHA-1 layout (TCG_PCR_EVENT) throughout, or, when the first event is the Spec
 * ID event "Spec ID Event03", the crypto-agile layout (TCG_PCR_EVENT2) with the digests that event
 * declares. Every malformation (truncation, an event larger than the log, an algorithm the Spec ID
 * event did not declare) is an {@link EventLogFormatException} naming the event and its offset.
 */
public final class EventLogReader implements AutoCloseable {
    /** No firmware event comes near this; a larger size is a corrupt log, not a reason to buffer it. */
    public static final int MAX_EVENT_SIZE = 16 << 20;
    private static final int SHA1_SIZE = 20;

    private final InputStream in;
    /** Read-ahead of {@link #in} (or the whole log, when it is in memory): bytes {@code pos} to {@code limit} are not consumed yet. */
    private final byte[] buffer;
    private int pos;
    private int limit;
    private long offset;
    private int index;
    private SpecIdEvent specId;
    /** The Spec ID event's algorithm IDs, their digest sizes, and the known hash of each (null if unknown). */
    private int[] algIds = new int[0];
    private int[] algSizes = new int[0];
    private TpmAlg[] knownBanks = new TpmAlg[0];
    private long eventStart;

    public EventLogReader(InputStream in) {
        this.in = in;
        this.buffer = new byte[64 * 1024];
    }

    /** A reader of a log in memory, read in place. */
    EventLogReader(byte[] log) {
        this.in = null;
        this.buffer = log;
        this.limit = log.length;
    }

    /** The Spec ID event of a crypto-agile log, once the first event was read; empty for a SHA-1 log. */
    public Optional<SpecIdEvent> specId() {
        return Optional.ofNullable(specId);
    }

    /** The next event, or empty at the end of the log. */
    public Optional<TcgEvent> next() {
        eventStart = offset;
        int first = read();
        if (first < 0) {
            if (index == 0) {
                throw new EventLogFormatException(0, 0, "the log is empty");
            }
            return Optional.empty();
        }
        int pcr = first | u8() << 8 | u8() << 16 | u8() << 24;
        int type = u32();
        Digests.Builder digests = new Digests.Builder(specId == null ? 1 : knownBanks.length);
        if (specId == null) {
            digests.put(TpmAlg.SHA1, bytes(SHA1_SIZE, "the SHA-1 digest"));
        } else {
            int count = u32();
            if (count < 0 || count > algIds.length) {
                throw error("digestCount " + Integer.toUnsignedString(count) + " exceeds the "
                        + algIds.length + " algorithms of the Spec ID event");
            }
            for (int i = 0; i < count; i++) {
                int alg = u16();
                int declared = 0;
                while (declared < algIds.length && algIds[declared] != alg) {
                    declared++;
                }
                if (declared == algIds.length) {
                    throw error(String.format("digest algorithm 0x%04x is not declared in the Spec ID event", alg));
                }
                byte[] digest = bytes(algSizes[declared], "a digest");
                TpmAlg known = knownBanks[declared];
                if (known != null && !digests.put(known, digest)) {
                    throw error("the event has two " + known + " digests");
                }
            }
        }
        int size = u32();
        if (size < 0 || size > MAX_EVENT_SIZE) {
            throw error("eventSize " + Integer.toUnsignedString(size) + " exceeds " + MAX_EVENT_SIZE + " bytes");
        }
        byte[] data = bytes(size, "the event data");
        TcgEvent event = new TcgEvent(index, pcr, type, digests.build(), data, eventStart);
        if (index == 0 && type == EventType.EV_NO_ACTION && pcr == 0 && SpecIdEvent.matches(data)) {
            try {
                specId = SpecIdEvent.parse(data);
                declare(specId.digestSizes());
            } catch (IllegalArgumentException | LeBytes.Truncated e) {
                throw error("malformed Spec ID event: " + e.getMessage());
            }
        }
        index++;
        return Optional.of(event);
    }

    /** The algorithms later events may carry, as arrays: looked up for every digest of every event. */
    private void declare(Map<Integer, Integer> digestSizes) {
        int n = digestSizes.size();
        algIds = new int[n];
        algSizes = new int[n];
        knownBanks = new TpmAlg[n];
        int i = 0;
        for (Map.Entry<Integer, Integer> a : digestSizes.entrySet()) {
            algIds[i] = a.getKey();
            algSizes[i] = a.getValue();
            knownBanks[i++] = TpmAlg.byId(a.getKey()).filter(TpmAlg::isHash)
                    .filter(h -> h.digestSize() == a.getValue()).orElse(null);
        }
    }

    private EventLogFormatException error(String problem) {
        return new EventLogFormatException(index, eventStart, problem);
    }

    private int read() {
        if (pos == limit && !fill()) {
            return -1;
        }
        offset++;
        return buffer[pos++] & 0xff;
    }

    /** Refills the empty buffer; false at the end of the stream (and always for a log in memory). */
    private boolean fill() {
        if (in == null) {
            return false;
        }
        try {
            int n = in.read(buffer, 0, buffer.length);
            while (n == 0) {
                n = in.read(buffer, 0, buffer.length);
            }
            pos = 0;
            limit = Math.max(n, 0);
            return n > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int u8() {
        int b = read();
        if (b < 0) {
            throw error("truncated: the log ends inside the event header at offset " + offset);
        }
        return b;
    }

    private int u16() {
        return u8() | u8() << 8;
    }

    private int u32() {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    /** {@code n} bytes; the array grows with the data actually there, not with the declared size. */
    private byte[] bytes(int n, String what) {
        if (n <= limit - pos) {
            byte[] b = java.util.Arrays.copyOfRange(buffer, pos, pos + n);
            pos += n;
            offset += n;
            return b;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.min(n, buffer.length));
        while (out.size() < n) {
            if (pos == limit && !fill()) {
                throw error("truncated: the log ends after " + out.size() + " of the " + n + " bytes of " + what);
            }
            int take = Math.min(n - out.size(), limit - pos);
            out.write(buffer, pos, take);
            pos += take;
            offset += take;
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
