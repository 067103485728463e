package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.PcrBitmap;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmSu;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;

/** TPM2_PCR_Extend and TPM2_PCR_Read on swtpm, checked against tpm2_pcrread and JCA. */
class PcrCommandsTest {
    private static final HexFormat HEX = HexFormat.of();

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private final Tpm tpm = SWTPM.tpm();

    /** Each test starts after a TPM Reset: every PCR at its initial value, whatever the last test extended. */
    @BeforeEach
    void reset() {
        SWTPM.powerCycle();
        tpm.execute(new Startup(TpmSu.CLEAR));
    }

    /** tpm2_pcrread's values: bank name to PCR index to value. */
    private static Map<String, SortedMap<Integer, byte[]>> toolRead(String selection) {
        Map<String, SortedMap<Integer, byte[]>> out = new LinkedHashMap<>();
        String bank = null;
        Matcher m = Pattern.compile("^\\s+(?:(\\w+):|(\\d+)\\s*: 0x([0-9A-Fa-f]+))$", Pattern.MULTILINE)
                .matcher(Tools.run(SWTPM, "tpm2_pcrread", selection));
        while (m.find()) {
            if (m.group(1) != null) {
                bank = m.group(1);
            } else {
                out.computeIfAbsent(bank, b -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), HEX.parseHex(m.group(3)));
            }
        }
        return out;
    }

    private static byte[] digest(TpmAlg alg, byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance(alg.jcaDigestName());
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    @Test
    void extendThenReadMatchesTpm2PcrreadAndTheExtendRule() throws Exception {
        byte[] event256 = digest(TpmAlg.SHA256, "event".getBytes());
        byte[] event1 = digest(TpmAlg.SHA1, "event".getBytes());
        tpm.execute(new PcrExtend(1, List.of(new TpmtHa(TpmAlg.SHA256, event256), new TpmtHa(TpmAlg.SHA1, event1))));

        PcrRead.Response r = tpm.execute(new PcrRead(List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 1, 2))));
        assertEquals("[sha256:[0, 1, 2]]", r.pcrSelectionOut().toString());
        assertEquals(3, r.pcrValues().size());
        byte[] expected = digest(TpmAlg.SHA256, new byte[32], event256);
        assertArrayEquals(expected, r.pcrValues().get(1));
        assertArrayEquals(new byte[32], r.pcrValues().get(0));

        SortedMap<Integer, byte[]> tool = toolRead("sha256:0,1,2").get("sha256");
        assertEquals(List.of(0, 1, 2), List.copyOf(tool.keySet()));
        for (int pcr = 0; pcr < 3; pcr++) {
            assertArrayEquals(tool.get(pcr), r.byBank().get(TpmAlg.SHA256).get(pcr), "PCR " + pcr);
        }
        byte[] sha1Pcr1 = tpm.execute(new PcrRead(List.of(TpmsPcrSelection.of(TpmAlg.SHA1, 1)))).pcrValues().get(0);
        assertArrayEquals(digest(TpmAlg.SHA1, new byte[20], event1), sha1Pcr1);
    }

    @Test
    void eachExtendChangesTheUpdateCounter() {
        // (PCR 16 and 23 have TPM_PT_PCR_NO_INCREMENT, so use another)
        List<TpmsPcrSelection> sel = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 10));
        int before = tpm.execute(new PcrRead(sel)).pcrUpdateCounter();
        tpm.execute(new PcrExtend(10, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32]))));
        assertTrue(tpm.execute(new PcrRead(sel)).pcrUpdateCounter() != before);
    }

    @Test
    void oneReadReturnsAtMostEightValuesAndReadAllGetsThemAll() {
        for (int pcr : new int[] {0, 7, 16, 23}) {
            tpm.execute(new PcrExtend(pcr, List.of(new TpmtHa(TpmAlg.SHA384, new byte[48]),
                    new TpmtHa(TpmAlg.SHA256, new byte[32]))));
        }
        byte[] all = PcrBitmap.of(PcrBitmap.MIN_SIZE, IntStream.range(0, 24).boxed().toList());
        List<TpmsPcrSelection> selection = List.of(new TpmsPcrSelection(TpmAlg.SHA256, all),
                new TpmsPcrSelection(TpmAlg.SHA384, all),
                TpmsPcrSelection.of(TpmAlg.SHA1, 0, 23));
        assertEquals(8, tpm.execute(new PcrRead(selection)).pcrValues().size());

        PcrRead.Values values = PcrRead.readAll(tpm, selection);
        assertEquals(24, values.digests().get(TpmAlg.SHA256).size());
        assertEquals(24, values.digests().get(TpmAlg.SHA384).size());
        assertEquals(List.of(0, 23), List.copyOf(values.digests().get(TpmAlg.SHA1).keySet()));
        Map<String, SortedMap<Integer, byte[]>> tool = toolRead("sha256:all+sha384:all+sha1:0,23");
        for (TpmAlg bank : List.of(TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA1)) {
            SortedMap<Integer, byte[]> expected = tool.get(bank.name().toLowerCase());
            assertEquals(expected.keySet(), values.digests().get(bank).keySet());
            expected.forEach((pcr, v) -> assertArrayEquals(v, values.get(bank, pcr), bank + " PCR " + pcr));
        }
        assertNull(values.get(TpmAlg.SHA512, 0));
    }

    @Test
    void readAllLeavesOutBanksThatAreNotAllocated() {
        Tools.run(SWTPM, "tpm2_pcrallocate", "sha1:none+sha256:all+sha384:none+sha512:none");
        try {
            tpm.execute(new Shutdown(TpmSu.CLEAR));
            SWTPM.powerCycle();
            tpm.execute(new Startup(TpmSu.CLEAR));
            List<TpmsPcrSelection> selection = List.of(TpmsPcrSelection.of(TpmAlg.SHA1, 0, 1),
                    TpmsPcrSelection.of(TpmAlg.SHA256, 4, 5));
            PcrRead.Response one = tpm.execute(new PcrRead(selection));
            assertEquals(2, one.pcrValues().size());
            PcrRead.Values values = PcrRead.readAll(tpm, selection);
            assertEquals(List.of(TpmAlg.SHA256), List.copyOf(values.digests().keySet()));
            assertEquals(List.of(4, 5), List.copyOf(values.digests().get(TpmAlg.SHA256).keySet()));
        } finally {
            // swtpm's four banks again for the other tests, from the next reset on
            Tools.run(SWTPM, "tpm2_pcrallocate", "sha1:all+sha256:all+sha384:all+sha512:all");
        }
    }

    @Test
    void extendingAPcrWithoutAuthorityFails() {
        TpmResponseException e = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new PcrExtend(24, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32])))));
        assertTrue(e.responseCode() != 0);
        assertThrows(IllegalArgumentException.class, () -> new PcrExtend(0,
                java.util.Collections.nCopies(17, new TpmtHa(TpmAlg.SHA1, new byte[20]))));
    }

}
