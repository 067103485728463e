package org.tpmauth.attestation.eventlog;

/**
 * A malformed event log: says which event (0-based index) and at which byte offset of the log the
 * problem is.
 */
public class EventLogFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int eventIndex;
    private final long offset;

    public EventLogFormatException(int eventIndex, long offset, String problem) {
        super("event " + eventIndex + " at offset " + offset + ": " + problem);
        this.eventIndex = eventIndex;
        this.offset = offset;
    }

    public int eventIndex() {
        return eventIndex;
    }

    public long offset() {
        return offset;
    }
}
