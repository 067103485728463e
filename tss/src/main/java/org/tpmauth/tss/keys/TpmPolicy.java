package org.tpmauth.tss.keys;

import java.util.Arrays;
import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * One element of a TSS2 key file's {@code [1] policy} field:
 * {@code TPMPolicy ::= SEQUENCE { commandCode [0] EXPLICIT INTEGER, commandPolicy [1] EXPLICIT OCTET STRING }}.
 * tpmauth runs TPM2_PolicyPCR, whose commandPolicy is TPML_PCR_SELECTION || pcrDigest (the digest without
 * a size, as openssl_tpm2_engine writes and reads it), and TPM2_PolicyAuthValue (empty commandPolicy).
 */
public record TpmPolicy(int commandCode, byte[] commandPolicy) {
    /** The policy commands tpmauth can run from a key file. */
    static final List<Integer> SUPPORTED = List.of(TpmCc.PolicyPCR, TpmCc.PolicyAuthValue);

    public TpmPolicy {
        commandPolicy = commandPolicy.clone();
    }

    /** TPM2_PolicyPCR on {@code pcrs} whose values hash to {@code pcrDigest}. */
    public static TpmPolicy pcr(List<TpmsPcrSelection> pcrs, byte[] pcrDigest) {
        return new TpmPolicy(TpmCc.PolicyPCR, TpmWriter.marshal(out -> {
            TpmsPcrSelection.writeList(out, pcrs);
            out.bytes(pcrDigest);
        }));
    }

    /** TPM2_PolicyAuthValue. */
    public static TpmPolicy authValue() {
        return new TpmPolicy(TpmCc.PolicyAuthValue, new byte[0]);
    }

    /** The PCR selection of a TPM2_PolicyPCR element. */
    public List<TpmsPcrSelection> pcrs() {
        if (commandCode != TpmCc.PolicyPCR) {
            throw new IllegalStateException(TpmCc.nameOf(commandCode) + " has no PCR selection");
        }
        return TpmsPcrSelection.readList(new TpmReader(commandPolicy));
    }

    @Override
    public byte[] commandPolicy() {
        return commandPolicy.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmPolicy p && commandCode == p.commandCode && Arrays.equals(commandPolicy, p.commandPolicy);
    }

    @Override
    public int hashCode() {
        return 31 * commandCode + Arrays.hashCode(commandPolicy);
    }

    @Override
    public String toString() {
        return TpmCc.nameOf(commandCode) + (commandCode == TpmCc.PolicyPCR ? pcrs().toString() : "");
    }
}
