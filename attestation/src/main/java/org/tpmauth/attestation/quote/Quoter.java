package org.tpmauth.attestation.quote;

import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.commands.Quote;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSigScheme;

/** The attesting side: TPM2_Quote with the AK over a PCR selection, and the PCR values it covers. */
public final class Quoter {
    private static final int ATTEMPTS = 5;

    private Quoter() {
    }

    /**
     * Quotes {@code selection} (several banks allowed) with the verifier's {@code nonce}. The PCR
     * values are read before and after the quote and retried when a PCR changed in between, so that
     * the values are the quoted ones. {@code eventLog} may be null.
     */
    public static Evidence quote(Tpm tpm, TpmKey ak, byte[] nonce, List<TpmsPcrSelection> selection, byte[] eventLog) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            PcrRead.Values before = PcrRead.readAll(tpm, selection);
            Quote.Response q = tpm.execute(new Quote(ak.handle(), nonce, TpmtSigScheme.NULL, selection), ak.auth());
            PcrRead.Values after = PcrRead.readAll(tpm, selection);
            if (before.pcrUpdateCounter() == after.pcrUpdateCounter()) {
                return new Evidence(q.quoted(), q.signature(), new PcrValues(before.digests()), eventLog);
            }
        }
        throw new TpmException("the PCRs changed during each of " + ATTEMPTS + " quotes; quote again when the machine"
                + " is quiet");
    }
}
