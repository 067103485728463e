package org.tpmauth.attestation.quote;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * PCR selections as the attest commands write them: {@code sha256:0-7,sha1:0-7}, where a bank name
 * starts each bank and ranges or single indices follow, e.g. {@code sha256:0,2,4-7,sha1:all}.
 */
public final class PcrSelections {
    private PcrSelections() {
    }

    public static List<TpmsPcrSelection> parse(String spec) {
        Map<TpmAlg, TreeSet<Integer>> banks = new LinkedHashMap<>();
        TpmAlg bank = null;
        for (String raw : spec.split("[,+]")) {
            String item = raw.trim();
            int colon = item.indexOf(':');
            if (colon >= 0) {
                bank = TpmAlg.hashByName(item.substring(0, colon).trim());
                if (banks.containsKey(bank)) {
                    throw new IllegalArgumentException("bank " + item.substring(0, colon) + " appears twice in '" + spec + "'");
                }
                banks.put(bank, new TreeSet<>());
                item = item.substring(colon + 1).trim();
            }
            if (bank == null) {
                throw new IllegalArgumentException("'" + spec + "' does not start with a bank; write e.g. sha256:0-7,sha1:0-7");
            }
            banks.get(bank).addAll(indices(item, spec));
        }
        List<TpmsPcrSelection> out = new ArrayList<>();
        banks.forEach((b, pcrs) -> out.add(TpmsPcrSelection.of(b, pcrs.stream().mapToInt(Integer::intValue).toArray())));
        return out;
    }

    private static List<Integer> indices(String item, String spec) {
        if (item.equalsIgnoreCase("all")) {
            return range(0, PcrSelectionSpec.PCR_COUNT - 1, item, spec);
        }
        int dash = item.indexOf('-');
        if (dash > 0) {
            return range(index(item.substring(0, dash), spec), index(item.substring(dash + 1), spec), item, spec);
        }
        return List.of(index(item, spec));
    }

    private static List<Integer> range(int from, int to, String item, String spec) {
        if (from > to) {
            throw new IllegalArgumentException("range '" + item + "' in '" + spec + "' is empty");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    private static int index(String s, String spec) {
        try {
            int pcr = Integer.parseInt(s.trim());
            if (pcr >= 0 && pcr < PcrSelectionSpec.PCR_COUNT) {
                return pcr;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + s + "' in '" + spec + "' is not a PCR index 0-"
                + (PcrSelectionSpec.PCR_COUNT - 1));
    }

    /** The form parse reads: {@code sha256:0,1,2,sha1:7}. */
    public static String format(List<TpmsPcrSelection> selection) {
        return selection.stream().map(s -> s.hash().name().toLowerCase() + ":"
                + s.pcrs().stream().map(String::valueOf).collect(Collectors.joining(",")))
                .collect(Collectors.joining(","));
    }
}
