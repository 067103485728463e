package org.tpmauth.attestation.eventlog;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the boot-log parser, its replay and the event-data parsers: any input parses (and every
 * event's data parses into something) or fails with {@link EventLogFormatException}. Anything else
 * escaping is a finding. Seeds (real logs: ../shared/testdata/eventlogs) and crashes live in
 * resources/org/tpmauth/attestation/eventlog/EventLogFuzzTestInputs/parse/.
 */
class EventLogFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        EventLog log;
        try {
            log = EventLog.parse(data);
        } catch (EventLogFormatException expected) {
            return;
        }
        for (TcgEvent e : log.events()) {
            if (EventData.ofEvent(e) instanceof EventData.EfiVariable v) {
                v.signatures().size(); // entries are read on first use: read them
            }
        }
        BootFacts facts = BootFacts.of(log.events());
        facts.dbx().forEach(EventData.SignatureEntry::sha256);
    }
}
