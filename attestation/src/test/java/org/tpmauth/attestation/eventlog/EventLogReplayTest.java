package org.tpmauth.attestation.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.tss.types.TpmAlg;

/** Every real log replays to the PCRs in EXPECTED.json; malformed ones are refused with event and offset. */
class EventLogReplayTest {
    static Stream<Arguments> logs() {
        return RealLogs.expected().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("logs")
    void replaysToTheExpectedPcrsOrIsRefused(String name, JsonNode expected) {
        byte[] bytes = RealLogs.read(name);
        if (!expected.get("valid").asBoolean()) {
            EventLogFormatException e = assertThrows(EventLogFormatException.class, () -> EventLog.parse(bytes));
            assertTrue(e.getMessage().startsWith("event 0 at offset 0"), e.getMessage());
            return;
        }
        EventLog log = EventLog.parse(bytes);
        assertEquals(hexMap(expected.get("pcrs")), hexMap(log.replayed()), name);
        JsonNode facts = expected.get("facts");
        assertEquals(facts.get("events_total").asInt(), log.events().size());
        assertEquals(facts.get("events_measured").asInt(), log.events().stream().filter(TcgEvent::measured).count());
        assertEquals(facts.get("format").asText(), log.format());
        assertEquals(facts.get("startup_locality").isNull() ? null : facts.get("startup_locality").asInt(),
                log.startupLocality());
        assertEquals(hexMap(expected.get("pcrs")), hexMap(EventLog.replay(new ByteArrayInputStream(bytes))),
                "streaming replay");
    }

    @Test
    void truncatedAndOversizedLogsNameTheEventAndOffset() {
        byte[] log = RealLogs.read("tpm2-tools/event-arch-linux.bin");
        EventLog whole = EventLog.parse(log);
        TcgEvent last = whole.events().get(whole.events().size() - 1);
        EventLogFormatException cut = assertThrows(EventLogFormatException.class,
                () -> EventLog.parse(Arrays.copyOf(log, log.length - 3)));
        assertEquals(last.index(), cut.eventIndex());
        assertEquals(last.offset(), cut.offset());
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());

        byte[] huge = log.clone();
        TcgEvent second = whole.events().get(1);
        int sizeAt = (int) (whole.events().get(2).offset() - second.data().length - 4);
        huge[sizeAt + 3] = 0x7f;
        EventLogFormatException big = assertThrows(EventLogFormatException.class, () -> EventLog.parse(huge));
        assertEquals(1, big.eventIndex());
        assertTrue(big.getMessage().contains("exceeds"), big.getMessage());

        assertThrows(EventLogFormatException.class, () -> EventLog.parse("just some text, not a log\n".getBytes()));
    }

    @Test
    void aMillionEventLogReplaysInBoundedMemory() {
        byte[] log = RealLogs.read("tpm2-tools/event-arch-linux.bin");
        EventLog parsed = EventLog.parse(log);
        byte[] header = Arrays.copyOf(log, (int) parsed.events().get(1).offset());
        TcgEvent separator = parsed.events().stream().filter(e -> e.type() == EventType.EV_SEPARATOR).findFirst()
                .orElseThrow();
        TcgEvent after = parsed.events().get(separator.index() + 1);
        byte[] event = Arrays.copyOfRange(log, (int) separator.offset(), (int) after.offset());
        int count = 1_000_000;
        java.io.InputStream stream = new java.io.InputStream() {
            private long pos;
            private final long total = header.length + (long) event.length * count;

            @Override
            public int read() {
                if (pos >= total) {
                    return -1;
                }
                long p = pos++;
                return (p < header.length ? header[(int) p] : event[(int) ((p - header.length) % event.length)]) & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= total) {
                    return -1;
                }
                if (pos < header.length) {
                    int n = (int) Math.min(len, header.length - pos);
                    System.arraycopy(header, (int) pos, b, off, n);
                    pos += n;
                    return n;
                }
                int at = (int) ((pos - header.length) % event.length);
                int n = (int) Math.min(Math.min(len, event.length - at), total - pos);
                System.arraycopy(event, at, b, off, n);
                pos += n;
                return n;
            }
        };
        PcrValues values = EventLog.replay(stream);
        assertEquals(1, values.banks().get(TpmAlg.SHA256).size(), "one PCR extended a million times");
    }

    static Map<String, Map<String, String>> hexMap(JsonNode pcrs) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> b = pcrs.fields(); b.hasNext();) {
            Map.Entry<String, JsonNode> bank = b.next();
            Map<String, String> v = new TreeMap<>();
            bank.getValue().fields().forEachRemaining(p -> v.put(p.getKey(), p.getValue().asText()));
            out.put(bank.getKey(), v);
        }
        return out;
    }

    static Map<String, Map<String, String>> hexMap(PcrValues pcrs) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        pcrs.banks().forEach((bank, values) -> {
            Map<String, String> v = new TreeMap<>();
            values.forEach((pcr, d) -> v.put(String.valueOf(pcr), HexFormat.of().formatHex(d)));
            out.put(bank.name().toLowerCase(), v);
        });
        return out;
    }
}
