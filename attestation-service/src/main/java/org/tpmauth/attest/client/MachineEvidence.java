package org.tpmauth.attest.client;

import java.util.List;
import org.tpmauth.attest.service.KeyEvidence;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.types.TpmsPcrSelection;

/** The machine's evidence for a key: TPM2_Certify of it by the AK and a quote, both with one nonce. */
public final class MachineEvidence {
    /** What is quoted unless told otherwise: the SHA-256 bank's PCRs 0-15 (firmware, boot loader, kernel). */
    public static final List<TpmsPcrSelection> DEFAULT_PCRS = PcrSelections.parse("sha256:0-15");

    private MachineEvidence() {
    }

    /** @param eventLog the boot event log, or null */
    public static KeyEvidence collect(Tpm tpm, TpmKey key, TpmKey ak, byte[] nonce, List<TpmsPcrSelection> pcrs,
            byte[] eventLog) {
        KeyCertification.Evidence certify = KeyCertification.certify(tpm, key, ak, nonce);
        Evidence quote = Quoter.quote(tpm, ak, nonce, pcrs, eventLog);
        return new KeyEvidence(quote, key.publicArea(), certify);
    }
}
