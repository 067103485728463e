package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmlDigest;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyOR: the session's digest must equal one of {@code pHashList} (TPML_DIGEST, 2 to 8
 * branches); the digest then becomes the OR of all branches.
 */
public record PolicyOR(int policySession, List<byte[]> pHashList) implements TpmCommand<NoResponse> {
    public PolicyOR {
        pHashList = pHashList.stream().map(byte[]::clone).toList();
        if (pHashList.size() < 2 || pHashList.size() > TpmlDigest.MAX_COUNT) {
            throw new IllegalArgumentException("TPM2_PolicyOR takes 2 to " + TpmlDigest.MAX_COUNT + " digests, not "
                    + pHashList.size());
        }
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicyOR;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        TpmlDigest.write(out, pHashList);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
