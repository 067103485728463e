package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.testing.SwtpmExtension;

/** tpm info, random, pcr read and TPM selection errors, checked against tpm2-tools on a real swtpm. */
class InfoCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    /** PCR 1 and 16 of the sha256 bank made non-zero, and sha1 PCR 2, so that reads show real values. */
    @BeforeAll
    static void extendPcrs() {
        Cli.tpm2(SWTPM, dir, "tpm2_pcrextend", "1:sha256=" + "01".repeat(32));
        Cli.tpm2(SWTPM, dir, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        Cli.tpm2(SWTPM, dir, "tpm2_pcrextend", "2:sha1=" + "cd".repeat(20));
    }

    /** "name: value" lines of tpm info. */
    private static Map<String, String> info() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : tpmauth("tpm", "info").ok().outLines()) {
            int colon = line.indexOf(": ");
            assertTrue(colon > 0, () -> "a 'name: value' line: " + line);
            fields.put(line.substring(0, colon), line.substring(colon + 2).strip());
        }
        return fields;
    }

    /** tpm2_getcap's "NAME: 0x.." or "NAME:\n  raw: 0x..." values as numbers, value: strings kept as text. */
    private static Map<String, String> getcap(String what) {
        Map<String, String> values = new LinkedHashMap<>();
        String current = null;
        for (String line : Cli.tpm2(SWTPM, dir, "tpm2_getcap", what).outLines()) {
            Matcher inline = Pattern.compile("^(TPM2_PT_\\w+): (0x[0-9A-Fa-f]+)$").matcher(line);
            Matcher head = Pattern.compile("^(TPM2_PT_\\w+):$").matcher(line);
            Matcher raw = Pattern.compile("^  raw: (0x[0-9A-Fa-f]+|\\d+)$").matcher(line);
            Matcher value = Pattern.compile("^  value: (.*)$").matcher(line);
            if (inline.matches()) {
                values.put(inline.group(1), inline.group(2));
            } else if (head.matches()) {
                current = head.group(1);
            } else if (raw.matches() && current != null) {
                values.put(current, raw.group(1));
            } else if (value.matches() && current != null) {
                values.put(current + ".value", value.group(1).replace("\"", ""));
            }
        }
        return values;
    }

    private static long number(String s) {
        return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
    }

    @Test
    void infoShowsEveryFieldAsTpm2ToolsReadsIt() {
        Map<String, String> info = info();
        SWTPM.disconnect();
        Map<String, String> fixed = getcap("properties-fixed");
        Map<String, String> variable = getcap("properties-variable");

        assertEquals(fixed.get("TPM2_PT_MANUFACTURER.value"), info.get("manufacturer"));
        assertEquals("IBM", info.get("manufacturer"), "swtpm is made by IBM");
        assertEquals("SW TPM", info.get("vendor"));

        Matcher fw = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+ \\(0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8})\\)")
                .matcher(info.get("firmware"));
        assertTrue(fw.matches(), info.get("firmware"));
        assertEquals(number(fixed.get("TPM2_PT_FIRMWARE_VERSION_1")), Long.parseLong(fw.group(1), 16));
        assertEquals(number(fixed.get("TPM2_PT_FIRMWARE_VERSION_2")), Long.parseLong(fw.group(2), 16));

        String spec = info.get("specification");
        assertTrue(spec.startsWith("TPM 2.0 ") && spec.contains("revision " + fixed.get("TPM2_PT_REVISION.value")),
                spec);

        Set<String> algorithms = Set.of(info.get("algorithms").split(" "));
        assertTrue(algorithms.containsAll(Set.of("sha256", "ecc", "rsa", "ecdsa", "rsapss", "aes")), algorithms::toString);
        Set<String> toolsAlgorithms = Cli.tpm2(SWTPM, dir, "tpm2_getcap", "algorithms").outLines().stream()
                .filter(l -> !l.startsWith(" ") && l.endsWith(":")).map(l -> l.substring(0, l.length() - 1))
                .collect(Collectors.toSet());
        assertEquals(toolsAlgorithms, algorithms, "the same algorithms as tpm2_getcap algorithms");

        assertEquals("sha1 (24 PCRs), sha256 (24 PCRs), sha384 (24 PCRs), sha512 (24 PCRs)", info.get("pcr-banks"));

        assertEquals(number(variable.get("TPM2_PT_HR_TRANSIENT_AVAIL")), Long.parseLong(info.get("free-object-slots")));
        assertEquals(number(variable.get("TPM2_PT_HR_ACTIVE_AVAIL")), Long.parseLong(info.get("free-session-slots")));
        assertEquals(number(variable.get("TPM2_PT_HR_PERSISTENT_AVAIL")), Long.parseLong(info.get("persistent-free")));
        assertEquals("none", info.get("persistent-handles"));

        String lockout = info.get("lockout");
        String expected = String.format("not in lockout, %d of %d failed authorizations counted, one forgiven every %d s, "
                + "lockout recovery %d s", number(variable.get("TPM2_PT_LOCKOUT_COUNTER")),
                number(variable.get("TPM2_PT_MAX_AUTH_FAIL")), number(variable.get("TPM2_PT_LOCKOUT_INTERVAL")),
                number(variable.get("TPM2_PT_LOCKOUT_RECOVERY")));
        assertEquals(expected, lockout);
    }

    @Test
    void infoFollowsPersistentKeysAndFailedAuthorizations() throws IOException {
        Path password = dir.resolve("password");
        Files.writeString(password, "right");
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "wrong");
        Path key = dir.resolve("key.pem");
        tpmauth("key", "create", "--password-file", password.toString(), "--out", key.toString()).ok();
        tpmauth("key", "persist", "--key", key.toString(), "--handle", "0x81000005").ok();
        try {
            Map<String, String> before = info();
            assertEquals("0x81000005", before.get("persistent-handles"));
            tpmauth("key", "sign", "--key", key.toString(), "--password-file", wrong.toString(), "--in",
                    password.toString(), "--out", dir.resolve("sig").toString()).fails();
            Map<String, String> after = info();
            assertEquals(Long.parseLong(before.get("persistent-free")), Long.parseLong(after.get("persistent-free")));
            assertTrue(after.get("lockout").startsWith("not in lockout, 1 of "), after.get("lockout"));
        } finally {
            tpmauth("key", "evict", "--handle", "0x81000005").ok();
            Cli.tpm2(SWTPM, dir, "tpm2_dictionarylockout", "-c");
        }
        assertTrue(info().get("lockout").startsWith("not in lockout, 0 of "));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 100})
    void randomPrintsNBytesAsHex(int n) {
        String first = tpmauth("random", Integer.toString(n)).ok().out();
        assertTrue(first.matches("[0-9a-f]{" + 2 * n + "}\n"), first);
        if (n >= 16) {
            assertNotEquals(first, tpmauth("random", Integer.toString(n)).ok().out(), "fresh bytes each time");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "2000000"})
    void randomOutOfRangeIsAnError(String n) {
        String error = tpmauth("random", n).fails();
        assertTrue(error.contains("between 1 and 1048576") && error.contains(n), error);
    }

    /** tpm2_pcrread's output as bank -> PCR -> hex value. */
    private static Map<String, Map<Integer, String>> parsePcrs(String output) {
        Map<String, Map<Integer, String>> banks = new LinkedHashMap<>();
        Map<Integer, String> bank = null;
        for (String line : output.lines().toList()) {
            Matcher head = Pattern.compile("^  (sha\\d+):$").matcher(line);
            Matcher pcr = Pattern.compile("^    (\\d+) *: 0x([0-9A-F]+)$").matcher(line);
            if (head.matches()) {
                bank = new TreeMap<>();
                banks.put(head.group(1), bank);
            } else if (pcr.matches() && bank != null) {
                bank.put(Integer.parseInt(pcr.group(1)), pcr.group(2));
            } else {
                throw new AssertionError("unexpected line in PCR output: '" + line + "'");
            }
        }
        return banks;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:0,1,2", "sha1:all", "sha1:0,1,2+sha256:16", "sha256:16,3+sha1:2", "sha384:23",
        "sha512:0,7", ""})
    void pcrReadMatchesTpm2PcrreadExactly(String selection) {
        String[] args = selection.isEmpty() ? new String[] {"pcr", "read"} : new String[] {"pcr", "read", selection};
        String ours = tpmauth(args).ok().out();
        String theirs = selection.isEmpty() ? Cli.tpm2(SWTPM, dir, "tpm2_pcrread").out() : Cli.tpm2(SWTPM, dir,
                "tpm2_pcrread", selection).out();
        assertEquals(parsePcrs(theirs), parsePcrs(ours), "same values");
        assertEquals(theirs, ours, "same layout");
    }

    @Test
    void extendedPcrsShowTheirValues() throws Exception {
        Map<String, Map<Integer, String>> pcrs = parsePcrs(tpmauth("pcr", "read", "sha256:0,1,2").ok().out());
        assertEquals(Set.of("sha256"), pcrs.keySet());
        assertEquals(Set.of(0, 1, 2), pcrs.get("sha256").keySet());
        assertEquals("00".repeat(32), pcrs.get("sha256").get(0));
        // PCR 1 = SHA-256(zeros || 01...01), extended once in @BeforeAll
        byte[] buffer = new byte[64];
        Arrays.fill(buffer, 32, 64, (byte) 1);
        String expected = java.util.HexFormat.of().withUpperCase()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(buffer));
        assertEquals(expected, pcrs.get("sha256").get(1));
    }

    @Test
    void sha1AllHas24Pcrs() {
        List<String> lines = tpmauth("pcr", "read", "sha1:all").ok().outLines();
        assertEquals("  sha1:", lines.get(0));
        List<String> values = lines.subList(1, lines.size());
        assertEquals(24, values.size(), lines::toString);
        for (int i = 0; i < 24; i++) {
            assertTrue(values.get(i).matches(String.format("    %-2d: 0x[0-9A-F]{40}", i)), values.get(i));
        }
        assertNotEquals("0x" + "0".repeat(40), values.get(2).substring(8), "PCR 2 was extended");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"sha7:0|unknown hash algorithm 'sha7'", "sha256:24|'24'",
        "sha256:|'sha256:'", "garbage|'garbage'", "sha256:1-3|'1-3'"})
    void badSelectionIsAnError(String selection, String says) {
        String error = tpmauth("pcr", "read", selection).fails();
        assertTrue(error.contains(says), error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo:bar", "swtpm:host=127.0.0.1,port=abc", "swtpm:host=127.0.0.1,port=70000",
        "mssim:port=", "swtpm:host=127.0.0.1,bogus=1"})
    void badTctiListsTheValidForms(String tcti) {
        String error = Cli.tpmauthOn(tcti, "random", "4").fails();
        for (String form : List.of("swtpm:host=127.0.0.1,port=2321", "mssim:", "device:/dev/tpmrm0", "libtpms:")) {
            assertTrue(error.contains(form), () -> form + " in: " + error);
        }
    }

    @Test
    void swtpmThatIsNotRunningIsAClearError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        for (String[] command : List.of(new String[] {"tpm", "info"}, new String[] {"key", "list"})) {
            String error = Cli.tpmauthOn("swtpm:host=127.0.0.1,port=" + port, command).fails();
            assertTrue(error.contains("cannot connect to swtpm at 127.0.0.1:" + port) && error.contains("is it running?"),
                    error);
        }
    }
}
