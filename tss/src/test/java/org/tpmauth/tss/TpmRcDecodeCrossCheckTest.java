package org.tpmauth.tss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.TpmRc.Location;

/**
 * Cross-checks TpmRc against tpm2-tss's decoder, {@code tpm2_rc_decode} (tpm2-tools): for every code
 * TpmRc names, the decoder must print the description recorded in tpm2-rc-decode.txt for that name,
 * the same handle / parameter / session and the same TSS2 layer.
 */
class TpmRcDecodeCrossCheckTest {
    private static final String DECODER = "tpm2_rc_decode";
    /** tpm2-tss's names for the TSS2 layers, by TpmRc's layer prefix. */
    private static final Map<String, String> TSS_LAYERS = Map.of(
            "FAPI", "fapi", "ESYS", "esapi", "SYS", "sys", "MU", "mu", "TCTI", "tcti");
    private static final Pattern TSS_NAME = Pattern.compile("TSS2_([A-Z]+)_RC_([A-Z_]+)");
    private static final int RESMGR_LAYER = 11 << 16;

    @Test
    void tpmCodesAgreeWithTpm2RcDecode() throws Exception {
        Map<String, String> recorded = recorded();
        // each code once, format one with a handle, parameter or session in turn; some relayed by a resource
        // manager. Parameters stay within 1-7: libtss2-rc reads 3 bits for them where Part 2 gives 4 (1-15).
        List<Integer> codes = new ArrayList<>();
        int i = 0;
        for (String name : recorded.keySet()) {
            if (!name.startsWith("TPM_RC_")) {
                continue;
            }
            int rc = TpmRc.class.getField(name.substring("TPM_RC_".length())).getInt(null);
            if ((rc & 0x80) != 0) {
                int n = 1 + i % 7;
                rc |= new int[] {0, n << 8, 0x40 | n << 8, 0x800 | n << 8}[i % 4];
            }
            codes.add(i % 5 == 0 ? RESMGR_LAYER | rc : rc);
            i++;
        }
        Map<Integer, String> decoded = decode(codes);
        for (int rc : codes) {
            String out = decoded.get(rc);
            String[] parts = out.split(":", 3);
            String context = String.format("0x%08x: tpm2_rc_decode says '%s', TpmRc says '%s'", rc, out,
                    TpmRc.describe(0, rc));
            assertEquals(3, parts.length, context);
            assertEquals((rc & RESMGR_LAYER) != 0 ? "rmt" : "tpm", parts[0], context);
            assertEquals(where(rc), parts[1], context);
            assertEquals(recorded.get(TpmRc.name(rc)), parts[2].trim(), context);
        }
    }

    @Test
    void tssCodesAgreeWithTpm2RcDecode() throws Exception {
        Map<String, String> recorded = recorded();
        long bases = recorded.keySet().stream().filter(n -> n.startsWith("TSS2_BASE_RC_")).count();
        List<Integer> codes = new ArrayList<>();
        for (int base = 1; base <= bases; base++) {
            codes.add((6 + base % 5) << 16 | base); // the layers FAPI to TCTI in turn
        }
        Map<Integer, String> decoded = decode(codes);
        for (int rc : codes) {
            String out = decoded.get(rc);
            String context = String.format("0x%08x: tpm2_rc_decode says '%s', TpmRc says '%s'", rc, out,
                    TpmRc.describe(0, rc));
            Matcher name = TSS_NAME.matcher(TpmRc.name(rc));
            assertTrue(name.matches(), context);
            assertEquals(TSS_LAYERS.get(name.group(1)) + ":" + recorded.get("TSS2_BASE_RC_" + name.group(2)), out,
                    context);
        }
    }

    /** What tpm2_rc_decode prints between the layer and the description. */
    private static String where(int rc) {
        if ((rc & 0x80) == 0) {
            return (rc & 0x800) != 0 ? "warn(2.0)" : "error(2.0)";
        }
        Location location = TpmRc.location(rc);
        if (location.kind() == Location.Kind.NONE) {
            return (rc & 0x40) != 0 ? "parameter(unk)" : "handle(unk)";
        }
        return location.kind().name().toLowerCase() + "(" + location.number() + ")";
    }

    private static Map<String, String> recorded() throws IOException {
        Map<String, String> recorded = new HashMap<>();
        try (InputStream in = TpmRcDecodeCrossCheckTest.class.getResourceAsStream("tpm2-rc-decode.txt")) {
            assertNotNull(in, "tpm2-rc-decode.txt");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] kv = line.split("\\|", 2);
                    recorded.put(kv[0], kv[1]);
                }
            }
        }
        return recorded;
    }

    /** Runs tpm2_rc_decode once per code, all in one shell. */
    private static Map<Integer, String> decode(List<Integer> codes) throws IOException, InterruptedException {
        assumeTrue(Programs.onPath(DECODER), DECODER + " (tpm2-tools) is not installed");
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                "for c in \"$@\"; do printf '%s ' \"$c\"; " + DECODER + " \"$c\"; done", "decode"));
        codes.forEach(c -> command.add(String.format("0x%x", c)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<Integer, String> decoded = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] codeAndText = line.split(" ", 2);
                decoded.put(Integer.decode(codeAndText[0]), codeAndText[1]);
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), DECODER + " did not finish");
        assertEquals(codes.size(), decoded.size(), "one line per code");
        return decoded;
    }
}
