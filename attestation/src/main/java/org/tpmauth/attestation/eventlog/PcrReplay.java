package org.tpmauth.attestation.eventlog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Replays boot-log events into PCR values per bank, as the TPM computed them:
 * {@code PCR = H_bank(PCR || digest_bank)}, starting from zero (PCRs 17-22 from all ones), except that
 * an EV_NO_ACTION "StartupLocality" event sets PCR 0's starting value to {@code 00..0L}. EV_NO_ACTION
 * events are never extended. A PCR of a bank for which some event carries no digest cannot be
 * replayed and is left out of {@link #values()}.
 */
public final class PcrReplay {
    private static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);
    private static final int PCR_COUNT = 24;

    private final List<TpmAlg> banks;
    /** Per bank (in {@link #banks} order): its hash, reused for every extend, and its PCRs by index (null = untouched). */
    private final MessageDigest[] hashes;
    private final byte[][][] pcrs;
    /** Per bank, a bit per PCR that some event extends without a digest of that bank. */
    private final int[] unreplayable;
    private Integer startupLocality;

    /** A replay of the given banks (those of the log: see {@link #banksOf}). */
    public PcrReplay(List<TpmAlg> banks) {
        this.banks = List.copyOf(banks);
        hashes = new MessageDigest[banks.size()];
        pcrs = new byte[banks.size()][PCR_COUNT][];
        unreplayable = new int[banks.size()];
        for (int i = 0; i < hashes.length; i++) {
            try {
                hashes[i] = MessageDigest.getInstance(banks.get(i).jcaDigestName());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no JCA provider for " + banks.get(i), e);
            }
        }
    }

    /**
     * The banks a log can be replayed into: the known hashes of its Spec ID event that this JVM can
     * compute (SM3 has no JDK provider: such a bank is left out, not an error), or SHA-1.
     */
    public static List<TpmAlg> banksOf(EventLogReader reader) {
        return reader.specId().map(s -> s.digestSizes().keySet().stream()
                .flatMap(id -> TpmAlg.byId(id).filter(TpmAlg::isHash).filter(PcrReplay::computable).stream()).toList())
                .orElse(List.of(TpmAlg.SHA1));
    }

    private static boolean computable(TpmAlg hash) {
        try {
            MessageDigest.getInstance(hash.jcaDigestName());
            return true;
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
    }

    public void accept(TcgEvent e) {
        if (!e.measured()) {
            if (e.pcr() == 0 && e.data().length == STARTUP_LOCALITY.length + 1
                    && Arrays.equals(e.data(), 0, STARTUP_LOCALITY.length, STARTUP_LOCALITY, 0, STARTUP_LOCALITY.length)) {
                startupLocality = e.data()[STARTUP_LOCALITY.length] & 0xff;
            }
            return;
        }
        if (e.pcr() < 0 || e.pcr() >= PCR_COUNT) {
            throw new EventLogFormatException(e.index(), e.offset(), "the event extends PCR "
                    + Integer.toUnsignedString(e.pcr()) + ", which a PC Client TPM does not have");
        }
        int pcr = e.pcr();
        for (int i = 0; i < hashes.length; i++) {
            TpmAlg bank = banks.get(i);
            byte[] digest = e.digests().get(bank);
            if (digest == null) {
                unreplayable[i] |= 1 << pcr;
                continue;
            }
            byte[] value = pcrs[i][pcr];
            MessageDigest md = hashes[i];
            md.update(value == null ? initial(bank, pcr) : value);
            pcrs[i][pcr] = md.digest(digest);
        }
    }

    private byte[] initial(TpmAlg bank, int pcr) {
        byte[] v = new byte[bank.digestSize()];
        if (pcr >= 17 && pcr <= 22) {
            Arrays.fill(v, (byte) 0xff);
        } else if (pcr == 0 && startupLocality != null) {
            v[v.length - 1] = (byte) (int) startupLocality;
        }
        return v;
    }

    /** The locality of an EV_NO_ACTION StartupLocality event, or null. */
    public Integer startupLocality() {
        return startupLocality;
    }

    /** The replayed values of every PCR the log extends, per bank, except the unreplayable ones. */
    public PcrValues values() {
        Map<TpmAlg, SortedMap<Integer, byte[]>> out = new LinkedHashMap<>();
        for (int i = 0; i < hashes.length; i++) {
            SortedMap<Integer, byte[]> v = new TreeMap<>();
            for (int pcr = 0; pcr < PCR_COUNT; pcr++) {
                if (pcrs[i][pcr] != null && (unreplayable[i] & 1 << pcr) == 0) {
                    v.put(pcr, pcrs[i][pcr]);
                }
            }
            if (!v.isEmpty()) {
                out.put(banks.get(i), v);
            }
        }
        return new PcrValues(out);
    }

    /** Per bank, the PCRs that some event extends without a digest for that bank. */
    public Map<TpmAlg, Set<Integer>> unreplayable() {
        Map<TpmAlg, Set<Integer>> out = new LinkedHashMap<>();
        for (int i = 0; i < hashes.length; i++) {
            Set<Integer> set = new TreeSet<>();
            for (int pcr = 0; pcr < PCR_COUNT; pcr++) {
                if ((unreplayable[i] & 1 << pcr) != 0) {
                    set.add(pcr);
                }
            }
            if (!set.isEmpty()) {
                out.put(banks.get(i), Set.copyOf(set));
            }
        }
        return out;
    }
}
