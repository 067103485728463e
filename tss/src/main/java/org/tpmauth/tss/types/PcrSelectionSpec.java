package org.tpmauth.tss.types;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * PCR selections as tpm2-tools write them: {@code sha256:0,1,2}, {@code sha1:all},
 * {@code sha1:0,7+sha256:all}.
 */
public final class PcrSelectionSpec {
    /** PC Client TPMs have 24 PCRs per bank. */
    public static final int PCR_COUNT = 24;

    private PcrSelectionSpec() {
    }

    public static List<TpmsPcrSelection> parse(String spec) {
        List<TpmsPcrSelection> out = new ArrayList<>();
        for (String bank : spec.split("\\+")) {
            int colon = bank.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + bank + "' is not BANK:PCRS; write e.g. sha256:0,1,2 or sha1:all");
            }
            TpmAlg hash = TpmAlg.hashByName(bank.substring(0, colon));
            String list = bank.substring(colon + 1).trim();
            TreeSet<Integer> pcrs = new TreeSet<>();
            if (list.equalsIgnoreCase("all")) {
                for (int i = 0; i < PCR_COUNT; i++) {
                    pcrs.add(i);
                }
            } else {
                for (String item : list.split(",")) {
                    pcrs.add(pcrIndex(item.trim(), bank));
                }
            }
            out.add(TpmsPcrSelection.of(hash, pcrs.stream().mapToInt(Integer::intValue).toArray()));
        }
        return out;
    }

    private static int pcrIndex(String item, String bank) {
        try {
            int pcr = item.toLowerCase().startsWith("0x") ? Integer.parseInt(item.substring(2), 16) : Integer.parseInt(item);
            if (pcr >= 0 && pcr < PCR_COUNT) {
                return pcr;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + item + "' in '" + bank + "' is not a PCR index 0-" + (PCR_COUNT - 1));
    }
}
