package org.tpmauth.attestation.eventlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.attestation.testing.RealLogs;

/** Parsed event data of the real logs against the facts in EXPECTED.json. */
class BootFactsTest {
    static Stream<Arguments> validLogs() {
        return RealLogs.expected().stream().filter(e -> e.getValue().get("valid").asBoolean())
                .map(e -> Arguments.of(e.getKey(), e.getValue().get("facts")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validLogs")
    void factsMatchTheExpectedOnes(String name, JsonNode facts) {
        EventLog log = EventLog.parse(RealLogs.read(name));
        BootFacts f = BootFacts.of(log.events());
        assertEquals(facts.get("secure_boot").isNull() ? null : facts.get("secure_boot").asBoolean(), f.secureBoot());
        List<String> apps = new ArrayList<>();
        facts.get("boot_apps").forEach(a -> apps.add(a.asText()));
        List<String> ours = f.bootApps().stream().map(BootFacts.BootApp::path).toList();
        for (int i = 0; i < apps.size(); i++) {
            if (!apps.get(i).startsWith("<devpath")) { // raw hex rendering of EXPECTED.json for exotic paths
                assertEquals(apps.get(i), ours.get(i), name + " boot app " + i);
            }
        }
        assertEquals(apps.size(), ours.size());
        List<String> cmdlines = new ArrayList<>();
        facts.get("kernel_cmdline").forEach(c -> cmdlines.add(c.get("pcr").asInt() + " " + c.get("source").asText()
                + " " + c.get("value").asText()));
        assertEquals(cmdlines, f.kernelCmdlines().stream().map(c -> c.pcr() + " " + c.source() + " " + c.value()).toList());
        for (TcgEvent e : log.events()) {
            EventData.ofEvent(e); // every event parses into something, unknown ones raw
        }
    }

    @Test
    void secureBootDatabasesCarryCertificateSubjectsAndHashes() {
        BootFacts f = BootFacts.of(EventLog.parse(RealLogs.read("go-tpm-tools/cos-101-amd-sev.bin")).events());
        assertTrue(f.secureBoot());
        assertFalse(f.db().isEmpty());
        assertTrue(f.db().stream().anyMatch(s -> s.type().equals("x509") && s.subject().contains("CN=")), f.db().toString());
        assertTrue(f.dbx().stream().allMatch(s -> s.sha256().length() == 64));
        assertFalse(f.scrtmVersions().isEmpty());
        assertEquals(List.of(), f.separatorErrors());
    }

    @Test
    void everyEventTypeOfThePostcodeLogParses() {
        EventLog log = EventLog.parse(RealLogs.read("tpm2-tools/event-postcode.bin"));
        assertTrue(log.events().stream().map(EventData::ofEvent).anyMatch(d -> d instanceof EventData.Text
                || d instanceof EventData.FirmwareBlob));
        assertTrue(log.events().stream().map(EventData::ofEvent).anyMatch(d -> d instanceof EventData.Separator));
        assertTrue(log.events().stream().map(EventData::ofEvent).anyMatch(d -> d instanceof EventData.EfiVariable));
    }
}
