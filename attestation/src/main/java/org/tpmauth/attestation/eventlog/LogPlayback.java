package org.tpmauth.attestation.eventlog;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtHa;

/**
 * Plays a boot log into a TPM as the firmware and bootloader did: every measured event extended into
 * its PCR, in the given banks. For test TPMs and the demo's simulated boots, never a real machine's TPM.
 */
public final class LogPlayback {
    private LogPlayback() {
    }

    /** Extends each measured event's digests of {@code banks} into its PCR; returns the number of events. */
    public static int extendInto(Tpm tpm, EventLog log, Set<TpmAlg> banks) {
        int n = 0;
        for (TcgEvent e : log.events()) {
            if (!e.measured()) {
                continue;
            }
            List<TpmtHa> digests = new ArrayList<>();
            e.digests().forEach((alg, digest) -> {
                if (banks.contains(alg)) {
                    digests.add(new TpmtHa(alg, digest));
                }
            });
            tpm.execute(new PcrExtend(e.pcr(), digests));
            n++;
        }
        return n;
    }
}
