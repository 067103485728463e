package org.tpmauth.tss.commands;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.types.PcrBitmap;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmlDigest;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PCR_Read: the values of the selected PCRs. One call returns at most eight digests (a
 * TPML_DIGEST), so the TPM may read less than selected; {@link #readAll} repeats the call until the
 * whole selection is read.
 */
public record PcrRead(List<TpmsPcrSelection> pcrSelectionIn) implements TpmCommand<PcrRead.Response> {
    /** How often {@link #readAll} starts over when a PCR changes while it reads. */
    static final int MAX_ATTEMPTS = 5;

    public PcrRead {
        pcrSelectionIn = List.copyOf(pcrSelectionIn);
    }

    @Override
    public int commandCode() {
        return TpmCc.PCR_Read;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        TpmsPcrSelection.writeList(out, pcrSelectionIn);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        int counter = in.u32();
        List<TpmsPcrSelection> selected = TpmsPcrSelection.readList(in);
        int valuesAt = in.position();
        List<byte[]> values = TpmlDigest.read(in);
        int expected = selected.stream().mapToInt(s -> s.pcrs().size()).sum();
        if (expected != values.size()) {
            throw new TpmFormatException("TPML_DIGEST", valuesAt, values.size() + " PCR values for " + expected
                    + " selected PCRs");
        }
        int i = 0;
        for (TpmsPcrSelection s : selected) {
            for (int n = s.pcrs().size(); n > 0; n--, i++) {
                if (!s.hash().isHash() || values.get(i).length != s.hash().digestSize()) {
                    throw new TpmFormatException("TPML_DIGEST", valuesAt, "value " + i + " has "
                            + values.get(i).length + " bytes, not a " + s.hash() + " digest");
                }
            }
        }
        return new Response(counter, selected, values);
    }

    /**
     * pcrUpdateCounter changes whenever any PCR changes; pcrSelectionOut names the PCRs whose values
     * follow in pcrValues, bank by bank, ascending.
     */
    public record Response(int pcrUpdateCounter, List<TpmsPcrSelection> pcrSelectionOut, List<byte[]> pcrValues) {
        /** The values by bank and PCR index. */
        public Map<TpmAlg, SortedMap<Integer, byte[]>> byBank() {
            Map<TpmAlg, SortedMap<Integer, byte[]>> out = new LinkedHashMap<>();
            Iterator<byte[]> values = pcrValues.iterator();
            for (TpmsPcrSelection s : pcrSelectionOut) {
                for (int pcr : s.pcrs()) {
                    out.computeIfAbsent(s.hash(), h -> new TreeMap<>()).put(pcr, values.next());
                }
            }
            return out;
        }
    }

    /** The values of a whole selection, all read while no PCR changed (the same pcrUpdateCounter). */
    public record Values(int pcrUpdateCounter, Map<TpmAlg, SortedMap<Integer, byte[]>> digests) {
        /** The value of one PCR, or null when it was not read (bank not allocated). */
        public byte[] get(TpmAlg bank, int pcr) {
            return digests.getOrDefault(bank, Collections.emptySortedMap()).get(pcr);
        }
    }

    /**
     * Reads every PCR in {@code selection} with as many TPM2_PCR_Read calls as needed. Starts over
     * when a PCR changes between two calls, so that all values belong to one moment. PCRs the TPM
     * does not have (a bank that is not allocated) are missing from the result.
     */
    public static Values readAll(Tpm tpm, List<TpmsPcrSelection> selection) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Values values = readOnce(tpm, selection);
            if (values != null) {
                return values;
            }
        }
        throw new TpmException("the PCRs changed during each of " + MAX_ATTEMPTS + " attempts to read them");
    }

    /** One pass over the selection; null when the PCRs changed in between. */
    private static Values readOnce(Tpm tpm, List<TpmsPcrSelection> selection) {
        Map<TpmAlg, SortedSet<Integer>> wanted = new LinkedHashMap<>();
        Map<TpmAlg, Integer> bitmapSizes = new LinkedHashMap<>();
        for (TpmsPcrSelection s : selection) {
            wanted.computeIfAbsent(s.hash(), h -> new TreeSet<>()).addAll(s.pcrs());
            bitmapSizes.merge(s.hash(), s.bitmap().length, Math::max);
        }
        Map<TpmAlg, SortedMap<Integer, byte[]>> read = new LinkedHashMap<>();
        Integer counter = null;
        while (wanted.values().stream().anyMatch(pcrs -> !pcrs.isEmpty())) {
            List<TpmsPcrSelection> request = new ArrayList<>();
            wanted.forEach((bank, pcrs) -> {
                if (!pcrs.isEmpty()) {
                    request.add(new TpmsPcrSelection(bank, PcrBitmap.of(bitmapSizes.get(bank), pcrs)));
                }
            });
            Response r = tpm.execute(new PcrRead(request));
            if (counter != null && counter != r.pcrUpdateCounter()) {
                return null;
            }
            counter = r.pcrUpdateCounter();
            boolean progress = false;
            for (Map.Entry<TpmAlg, SortedMap<Integer, byte[]>> bank : r.byBank().entrySet()) {
                SortedSet<Integer> pending = wanted.getOrDefault(bank.getKey(), Collections.emptySortedSet());
                for (Map.Entry<Integer, byte[]> pcr : bank.getValue().entrySet()) {
                    if (pending.remove(pcr.getKey())) {
                        read.computeIfAbsent(bank.getKey(), h -> new TreeMap<>()).put(pcr.getKey(), pcr.getValue());
                        progress = true;
                    }
                }
            }
            if (!progress) {
                break; // what is left does not exist on this TPM
            }
        }
        return new Values(counter == null ? 0 : counter, Collections.unmodifiableMap(read));
    }
}
