package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCap;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmPtPcr;
import org.tpmauth.tss.types.TpmaAlgorithm;
import org.tpmauth.tss.types.TpmaCc;
import org.tpmauth.tss.types.TpmsAlgProperty;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsTaggedPcrSelect;
import org.tpmauth.tss.types.TpmsTaggedProperty;
import org.tpmauth.tss.types.TpmuCapabilities;

/** TPM2_GetCapability on swtpm, checked against what tpm2_getcap reports. */
class CapabilitiesTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;

    @BeforeAll
    static void connect() {
        tpm = SWTPM.tpm();
    }

    /** "TPM2_PT_X:\n  raw: 0x.." (fixed) and "TPM2_PT_X: 0x.." (variable) entries of tpm2_getcap. */
    private static SortedMap<String, Long> toolProperties() {
        SortedMap<String, Long> out = new TreeMap<>();
        Pattern fixed = Pattern.compile("^TPM2_PT_(\\w+):\\s*\\n\\s+raw: (0x[0-9A-Fa-f]+|\\d+)$", Pattern.MULTILINE);
        Pattern variable = Pattern.compile("^TPM2_PT_(\\w+): (0x[0-9A-Fa-f]+)$", Pattern.MULTILINE);
        for (Matcher m = fixed.matcher(Tools.run(SWTPM, "tpm2_getcap", "properties-fixed")); m.find(); ) {
            out.put("TPM_PT_" + m.group(1), Long.decode(m.group(2)));
        }
        for (Matcher m = variable.matcher(Tools.run(SWTPM, "tpm2_getcap", "properties-variable")); m.find(); ) {
            out.put("TPM_PT_" + m.group(1), Long.decode(m.group(2)));
        }
        return out;
    }

    /** The numbers (group 1 of {@code entry}, a multi-line pattern) that tpm2_getcap lists for a capability. */
    private static List<Integer> getcapValues(String capability, String entry) {
        List<Integer> out = new ArrayList<>();
        Matcher m = Pattern.compile(entry, Pattern.MULTILINE).matcher(Tools.run(SWTPM, "tpm2_getcap", capability));
        while (m.find()) {
            out.add(Integer.decode(m.group(1)));
        }
        return out;
    }

    @Test
    void propertiesMatchTpm2Getcap() {
        SortedMap<Integer, Integer> props = Capabilities.properties(tpm);
        SortedMap<String, Long> tool = toolProperties();
        assertTrue(tool.size() > 40, "parsed too little of tpm2_getcap: " + tool);
        for (Map.Entry<String, Long> e : tool.entrySet()) {
            Integer key = props.keySet().stream().filter(k -> TpmPt.nameOf(k).equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + e.getKey() + " in " + props.keySet()));
            if (!e.getKey().equals("TPM_PT_LOCKOUT_COUNTER")) {
                assertEquals(e.getValue().intValue(), props.get(key), e.getKey());
            }
        }
        assertEquals("IBM", TpmPt.ascii(props.get(TpmPt.MANUFACTURER)));
        assertEquals("2.0", TpmPt.ascii(props.get(TpmPt.FAMILY_INDICATOR)));
        assertEquals(24, props.get(TpmPt.PCR_COUNT));
        assertTrue(props.containsKey(TpmPt.FIRMWARE_VERSION_1) && props.containsKey(TpmPt.LOCKOUT_RECOVERY));
        assertEquals(props.get(TpmPt.MAX_COMMAND_SIZE), Capabilities.property(tpm, TpmPt.MAX_COMMAND_SIZE).orElseThrow());
        assertFalse(Capabilities.property(tpm, 0x115).isPresent(), "0x115 is reserved");
        assertEquals(props.subMap(TpmPt.HR_TRANSIENT_MIN, TpmPt.HR_LOADED_MIN + 1),
                Capabilities.properties(tpm, TpmPt.HR_TRANSIENT_MIN, TpmPt.HR_LOADED_MIN), "a range in one command");
        assertTrue(Capabilities.properties(tpm, 0x115, 0x115).isEmpty(), "the next property the TPM returns is left out");
    }

    @Test
    void pagingThroughSmallAnswersGivesTheSameResult() {
        GetCapability.Response first = tpm.execute(new GetCapability(TpmCap.TPM_PROPERTIES, TpmPt.PT_FIXED, 3));
        assertTrue(first.moreData());
        assertEquals(List.of(TpmPt.FAMILY_INDICATOR, TpmPt.LEVEL, TpmPt.REVISION),
                ((TpmuCapabilities.TpmProperties) first.capabilityData().data()).properties().stream()
                        .map(TpmsTaggedProperty::property).toList());

        List<TpmsTaggedProperty> paged = Capabilities.readAll(tpm, TpmCap.TPM_PROPERTIES, TpmPt.PT_FIXED,
                TpmuCapabilities.TpmProperties.class, TpmuCapabilities.TpmProperties::properties,
                TpmsTaggedProperty::property, 5);
        assertEquals(Capabilities.properties(tpm).headMap(TpmPt.PT_VAR).keySet(),
                new TreeSet<>(paged.stream().map(TpmsTaggedProperty::property).toList()));

        List<Integer> commands = Capabilities.readAll(tpm, TpmCap.COMMANDS, 0, TpmuCapabilities.Commands.class,
                TpmuCapabilities.Commands::commandAttributes, TpmaCc::commandCode, 7);
        assertEquals(Capabilities.commands(tpm), commands);
    }

    @Test
    void algorithmsMatchTpm2Getcap() {
        List<TpmsAlgProperty> algs = Capabilities.algorithms(tpm);
        List<Integer> tool = getcapValues("algorithms", "^\\w+:\\s*\\n\\s+value:\\s+(0x[0-9A-Fa-f]+)$");
        assertEquals(tool, algs.stream().map(TpmsAlgProperty::alg).toList());
        TpmsAlgProperty sha256 = algs.stream().filter(a -> a.alg() == TpmAlg.SHA256.id()).findFirst().orElseThrow();
        assertEquals(TpmaAlgorithm.HASH, sha256.algProperties());
        TpmsAlgProperty ecdsa = algs.stream().filter(a -> a.alg() == TpmAlg.ECDSA.id()).findFirst().orElseThrow();
        assertEquals(TpmaAlgorithm.ASYMMETRIC | TpmaAlgorithm.SIGNING, ecdsa.algProperties());
    }

    @Test
    void commandsMatchTpm2Getcap() {
        List<Integer> commands = Capabilities.commands(tpm);
        List<Integer> tool = getcapValues("commands", "^TPM2_CC_\\w+:\\s*\\n\\s+value: (0x[0-9A-Fa-f]+)$");
        // tpm2-tools 5.4 leaves out commands newer than its table (TPM2_CertifyX509, 0x197)
        assertTrue(commands.containsAll(tool));
        assertTrue(commands.stream().filter(c -> !tool.contains(c))
                .allMatch(c -> TpmaCc.commandCode(c) > TpmCc.EncryptDecrypt2), "tpm2_getcap lists: " + tool);
        List<Integer> codes = commands.stream().map(TpmaCc::commandCode).toList();
        assertTrue(codes.containsAll(List.of(TpmCc.GetCapability, TpmCc.PCR_Read, TpmCc.Quote, TpmCc.NV_DefineSpace)));
        int hashSequenceStart = commands.stream().filter(c -> TpmaCc.commandCode(c) == TpmCc.HashSequenceStart)
                .findFirst().orElseThrow();
        assertTrue(TpmaCc.responseHandle(hashSequenceStart));
        assertEquals(0, TpmaCc.commandHandles(hashSequenceStart));
    }

    @Test
    void handlesOfEachType() {
        Tools.run(SWTPM, "tpm2_createprimary", "-C", "o", "-G", "ecc256", "-c", "primary.ctx");
        Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "primary.ctx", "0x81000005");
        Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "primary.ctx", "0x81000007");
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        try {
            assertEquals(List.of(0x81000005, 0x81000007), Capabilities.handles(tpm, TpmHandles.HT_PERSISTENT));
            assertEquals(Tools.run(SWTPM, "tpm2_getcap", "handles-persistent").lines()
                    .map(l -> TpmHandles.parse(l.substring(2))).toList(),
                    Capabilities.handles(tpm, TpmHandles.HT_PERSISTENT));
            assertEquals(IntStream.range(0, 24).boxed().toList(), Capabilities.handles(tpm, TpmHandles.HT_PCR));
            assertEquals(List.of(), Capabilities.handles(tpm, TpmHandles.HT_TRANSIENT));
            assertEquals(List.of(0x81000007), Capabilities.readAll(tpm, TpmCap.HANDLES, 0x81000006,
                    TpmuCapabilities.Handles.class, TpmuCapabilities.Handles::handles, h -> h, 1));
        } finally {
            Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "0x81000005");
            Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "0x81000007");
        }
    }

    @Test
    void pcrBanksAndProperties() {
        List<TpmsPcrSelection> banks = Capabilities.pcrBanks(tpm);
        assertEquals(List.of(TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512),
                banks.stream().map(TpmsPcrSelection::hash).toList());
        for (TpmsPcrSelection bank : banks) {
            assertEquals(new TreeSet<>(IntStream.range(0, 24).boxed().toList()), bank.pcrs());
        }
        List<TpmsTaggedPcrSelect> props = Capabilities.pcrProperties(tpm);
        TpmsTaggedPcrSelect resetL0 = props.stream().filter(p -> p.tag() == TpmPtPcr.RESET_L0).findFirst().orElseThrow();
        assertTrue(resetL0.pcrs().contains(16) && !resetL0.pcrs().contains(0), resetL0.toString());
    }

    @Test
    void eccCurvesMatchTpm2Getcap() {
        List<Integer> tool = getcapValues("ecc-curves", "^TPM2_ECC_\\w+: (0x[0-9A-Fa-f]+)$");
        assertEquals(tool, Capabilities.eccCurves(tpm));
        assertTrue(Capabilities.eccCurves(tpm).contains(3));
    }
}
