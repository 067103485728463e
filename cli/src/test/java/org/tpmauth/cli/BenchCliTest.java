package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tss.testing.SwtpmExtension;

/** tpmauth bench on a real swtpm: every operation reported, in the documented format. Never checks speed. */
class BenchCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final List<String> SERIAL = List.of("getrandom32", "createprimary_ecc", "load_ecc", "sign_ecdsa_p256",
            "sign_rsassa2048", "sign_rsapss2048", "load_sign_flush_ecdsa", "sign_ecdsa_secure_session", "quote_pcr0_7",
            "pcr_read_8");
    private static final String NUMBER = "\\d+\\.\\d";
    private static final Pattern THREADED = Pattern.compile("sign_ecdsa_p256_threads2_keys(\\d+)");

    private static String freeObjectSlots() {
        return Cli.tpmauthOn(SWTPM.tcti(), "tpm", "info").ok().outLines().stream()
                .filter(l -> l.startsWith("free-object-slots: ")).findFirst().orElseThrow();
    }

    @Test
    void reportsEveryOperationAndLeavesNothingLoaded() {
        String slotsBefore = freeObjectSlots();
        Cli.Result r = Cli.tpmauthOn(SWTPM.tcti(), "bench", "--iterations", "3", "--threads", "2").succeeded();

        Map<String, String[]> lines = new LinkedHashMap<>();
        for (String line : r.outLines()) {
            if (!line.startsWith("#")) {
                String[] fields = line.split(" ");
                assertFalse(lines.containsKey(fields[0]), () -> "one line per operation: " + r);
                lines.put(fields[0], fields);
            }
        }
        List<String> names = List.copyOf(lines.keySet());
        assertEquals(SERIAL, names.subList(0, SERIAL.size()), r::toString);
        assertEquals(SERIAL.size() + 1, names.size(), r::toString);
        for (String name : SERIAL) {
            String[] fields = lines.get(name);
            assertEquals(3, fields.length, () -> name + ": " + r);
            assertTrue(fields[1].matches(NUMBER) && fields[2].matches(NUMBER), () -> name + " has two numbers: " + r);
        }

        String threaded = names.get(SERIAL.size());
        Matcher m = THREADED.matcher(threaded);
        assertTrue(m.matches(), threaded);
        int keys = Integer.parseInt(m.group(1));
        assertTrue(keys >= 1 && keys <= 20, threaded);
        String[] fields = lines.get(threaded);
        assertEquals(4, fields.length, r::toString);
        assertTrue(fields[1].matches(NUMBER) && fields[2].matches(NUMBER) && fields[3].matches("\\d+"), r::toString);
        assertTrue(keys == 20 || r.err().contains("only " + keys + " of 20 keys fit"),
                () -> "fewer keys than 20 is said: " + r);

        assertEquals(slotsBefore, freeObjectSlots(), "every key and primary was flushed");

        for (String name : names) {
            assertTrue(r.outLines().stream().anyMatch(l -> l.matches("# traffic " + name + " commands=\\d+\\.\\d\\d "
                    + "sent_bytes=\\d+\\.\\d\\d received_bytes=\\d+\\.\\d\\d( TPM2_\\w+=\\d+\\.\\d\\d)+")),
                    () -> "a traffic line for " + name + ": " + r);
        }
        // through the continued secure session a signature is one command, as the plain one
        for (String name : List.of("sign_ecdsa_p256", "sign_ecdsa_secure_session")) {
            assertTrue(r.outLines().stream().anyMatch(l -> l.startsWith("# traffic " + name + " commands=1.00 ")
                    && l.endsWith(" TPM2_Sign=1.00")), () -> name + " sends one TPM2_Sign and nothing else: " + r);
        }
    }

    @Test
    void helpDocumentsTheOutput() {
        String help = Cli.tpmauth("bench", "--help").ok().out();
        assertTrue(help.contains("name median_us client_cpu_us"), help);
        assertTrue(help.contains("ops_per_s"), help);
        for (String name : SERIAL) {
            assertTrue(help.contains(name), () -> name + " in: " + help);
        }
        assertTrue(help.contains("--iterations") && help.contains("--threads") && help.contains("libtpms:"), help);
    }

    @ParameterizedTest
    @CsvSource({"--iterations,0", "--iterations,-3", "--iterations,1000001", "--threads,0", "--threads,1025",
        "--iterations,many", "--threads,2.5"})
    void badCountsAreUsageErrors(String option, String value) {
        Cli.Result r = Cli.tpmauthOn(SWTPM.tcti(), "bench", option, value);
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().startsWith("tpmauth: ") && r.err().contains(option) && r.err().contains(value),
                r::toString);
        assertTrue(r.err().contains("Try 'tpmauth bench --help'"), r::toString);
    }
}
