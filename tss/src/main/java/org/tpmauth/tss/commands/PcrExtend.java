package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PCR_Extend: extends PCR {@code pcrHandle} (its index is its handle) in each bank named by a
 * digest of TPML_DIGEST_VALUES. The PCR handle needs authorization (usually the empty password).
 */
public record PcrExtend(int pcrHandle, List<TpmtHa> digests) implements TpmCommand<NoResponse> {
    public PcrExtend {
        digests = List.copyOf(digests);
        if (digests.size() > TpmtHa.MAX_DIGEST_VALUES) {
            throw new IllegalArgumentException("TPML_DIGEST_VALUES holds at most " + TpmtHa.MAX_DIGEST_VALUES
                    + " digests");
        }
    }

    @Override
    public int commandCode() {
        return TpmCc.PCR_Extend;
    }

    @Override
    public List<Integer> handles() {
        return List.of(pcrHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        TpmtHa.writeList(out, digests);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
