package org.tpmauth.attestation.eventlog;

import java.util.Map;
import org.tpmauth.tss.types.TpmAlg;

/**
 * One event of a TCG PC Client boot log (TCG_PCR_EVENT or TCG_PCR_EVENT2): its 0-based position,
 * PCR index, type, a digest per bank (in log order), the event data (untrusted: only the digests are
 * replayed) and the byte offset where the event starts.
 */
public record TcgEvent(int index, int pcr, int type, Map<TpmAlg, byte[]> digests, byte[] data, long offset) {
    public TcgEvent {
        digests = Digests.copyOf(digests);
    }

    /** The event's type name, e.g. "EV_IPL". */
    public String typeName() {
        return EventType.name(type);
    }

    /** Whether the event is extended into its PCR (every type but EV_NO_ACTION is). */
    public boolean measured() {
        return type != EventType.EV_NO_ACTION;
    }

    @Override
    public String toString() {
        return "event " + index + " (PCR " + Integer.toUnsignedString(pcr) + ", " + typeName() + ")";
    }
}
