package org.tpmauth.attestation.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.TcgEvent;

/**
 * The real event logs in ../shared/testdata/eventlogs (TPMAUTH_EVENTLOGS overrides the directory)
 * with their EXPECTED.json entries.
 */
public final class RealLogs {
    private static final Path DIR = Path.of(System.getenv().getOrDefault("TPMAUTH_EVENTLOGS",
            "/work/shared/testdata/eventlogs"));

    private RealLogs() {
    }

    public static Path dir() {
        return DIR;
    }

    /** name (relative path) -> its EXPECTED.json entry. */
    public static List<Map.Entry<String, JsonNode>> expected() {
        try {
            JsonNode logs = new ObjectMapper().readTree(DIR.resolve("EXPECTED.json").toFile()).get("logs");
            List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = logs.fields(); it.hasNext();) {
                out.add(it.next());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A log of {@code count} events for benchmarks: the Ubuntu 21.04 log's measured events of PCRs 0-7
     * repeated behind its Spec ID event (a valid log: replayed, it gives its own PCR values).
     */
    public static byte[] repeated(int count) {
        byte[] real = read("go-tpm-tools/ubuntu-2104-no-secure-boot.bin");
        List<TcgEvent> events = EventLog.parse(real).events();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(real, 0, (int) events.get(1).offset());
        int n = 1;
        while (n < count) {
            for (int i = 1; i < events.size() && n < count; i++) {
                TcgEvent e = events.get(i);
                long end = i + 1 < events.size() ? events.get(i + 1).offset() : real.length;
                if (e.measured() && e.pcr() <= 7) {
                    out.write(real, (int) e.offset(), (int) (end - e.offset()));
                    n++;
                }
            }
        }
        return out.toByteArray();
    }

    public static byte[] read(String name) {
        try {
            return Files.readAllBytes(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
