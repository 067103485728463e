package org.tpmauth.attestation.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

    public static byte[] read(String name) {
        try {
            return Files.readAllBytes(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
