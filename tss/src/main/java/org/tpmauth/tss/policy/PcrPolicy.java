package org.tpmauth.tss.policy;

import java.util.ArrayList;
import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * A TPM2_PolicyPCR policy bound to the PCRs' current values, as {@code --pcr-policy sha256:0,7} means it
 * and {@code tpm2_createpolicy --policy-pcr -l sha256:0,7} computes it.
 */
public final class PcrPolicy {
    private PcrPolicy() {
    }

    /** The policy digest (of {@code nameAlg}) for the PCRs a tpm2-tools selection names, at their current values. */
    public static PolicyDigest current(Tpm tpm, TpmAlg nameAlg, String selection) {
        List<TpmsPcrSelection> pcrs = PcrSelectionSpec.parse(selection);
        return new PolicyDigest(nameAlg).pcr(pcrs, currentValuesDigest(tpm, nameAlg, pcrs));
    }

    /**
     * The pcrDigest of TPM2_PolicyPCR for the current values of {@code pcrs}: the values bank by bank
     * in selection order, each bank's PCRs ascending, hashed with {@code nameAlg}.
     */
    public static byte[] currentValuesDigest(Tpm tpm, TpmAlg nameAlg, List<TpmsPcrSelection> pcrs) {
        PcrRead.Values values = PcrRead.readAll(tpm, pcrs);
        List<byte[]> ordered = new ArrayList<>();
        for (TpmsPcrSelection s : pcrs) {
            for (int pcr : s.pcrs()) {
                byte[] value = values.get(s.hash(), pcr);
                if (value == null) {
                    throw new IllegalArgumentException("the TPM has no " + s.hash().name().toLowerCase() + " PCR "
                            + pcr + " (is the bank allocated?)");
                }
                ordered.add(value);
            }
        }
        return PolicyDigest.pcrValuesDigest(nameAlg, ordered);
    }
}
