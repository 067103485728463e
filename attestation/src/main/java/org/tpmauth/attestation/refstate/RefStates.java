package org.tpmauth.attestation.refstate;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.tpmauth.attestation.eventlog.BootFacts;
import org.tpmauth.attestation.eventlog.EventData;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.tss.types.TpmAlg;

/** Builds reference states from a known-good machine's boot log, like keylime's create_mb_refstate. */
public final class RefStates {
    private RefStates() {
    }

    /**
     * A reference state from a good log: the PCRs in {@code pin} pinned to their replayed values (in the
     * log's SHA-256 bank, else its first bank), everything else judged by rules made from the log:
     * Secure Boot as it was, the PK/KEK/db certificates and dbx entries it had, its boot applications'
     * digests, its kernel command line (exactly), its firmware version as the minimum.
     */
    public static RefState fromLog(EventLog log, Set<Integer> pin) {
        TpmAlg bank = log.replayed().banks().containsKey(TpmAlg.SHA256) ? TpmAlg.SHA256
                : log.replayed().banks().keySet().stream().findFirst().orElse(TpmAlg.SHA256);
        SortedMap<Integer, List<String>> pcrs = new TreeMap<>();
        for (int pcr : pin) {
            byte[] v = log.replayed().get(bank, pcr);
            if (v == null) {
                throw new IllegalArgumentException("the log does not extend PCR " + pcr + " in " + bank
                        + "; pin only PCRs the log measures");
            }
            pcrs.put(pcr, List.of(HexFormat.of().formatHex(v)));
        }
        BootFacts f = BootFacts.of(log.events());
        List<String> cmdlines = f.kernelCmdlines().stream().map(c -> Pattern.quote(c.value())).distinct().toList();
        RefState.Rules rules = new RefState.Rules(f.secureBoot(), fingerprints(f.pk()), fingerprints(f.kek()),
                fingerprints(f.db()), fingerprints(f.dbx()),
                nullIfEmpty(f.bootApps().stream().map(BootFacts.BootApp::sha256).filter(Objects::nonNull).distinct().toList()),
                cmdlines.isEmpty() ? null : String.join("|", cmdlines),
                f.scrtmVersions().isEmpty() ? null : f.scrtmVersions().get(0), null);
        return new RefState(1, bank.name().toLowerCase(), pcrs, rules);
    }

    private static List<String> fingerprints(List<EventData.SignatureEntry> entries) {
        return nullIfEmpty(entries.stream().map(EventData.SignatureEntry::sha256).distinct().toList());
    }

    private static List<String> nullIfEmpty(List<String> l) {
        return l.isEmpty() ? null : new ArrayList<>(l);
    }
}
