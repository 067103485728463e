package org.tpmauth.attestation.quote;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tpmauth.tss.types.TpmAlg;

/** PCR values by bank and index, banks in insertion order, indices ascending. Immutable. */
public record PcrValues(Map<TpmAlg, SortedMap<Integer, byte[]>> banks) {
    public PcrValues {
        Map<TpmAlg, SortedMap<Integer, byte[]>> copy = new LinkedHashMap<>();
        banks.forEach((bank, values) -> {
            SortedMap<Integer, byte[]> v = new TreeMap<>();
            values.forEach((pcr, digest) -> v.put(pcr, digest.clone()));
            copy.put(bank, Collections.unmodifiableSortedMap(v));
        });
        banks = Collections.unmodifiableMap(copy);
    }

    /** The value of a PCR, or null when it is not in these values. */
    public byte[] get(TpmAlg bank, int pcr) {
        SortedMap<Integer, byte[]> b = banks.get(bank);
        return b == null ? null : b.get(pcr);
    }

    /** These values with one PCR replaced (or added). */
    public PcrValues with(TpmAlg bank, int pcr, byte[] value) {
        Map<TpmAlg, SortedMap<Integer, byte[]>> copy = new LinkedHashMap<>(banks);
        SortedMap<Integer, byte[]> b = new TreeMap<>(copy.getOrDefault(bank, new TreeMap<>()));
        b.put(pcr, value);
        copy.put(bank, b);
        return new PcrValues(copy);
    }
}
