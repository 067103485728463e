package org.tpmauth.attestation.quote;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.tpmauth.attestation.AttestSignatures;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmsClockInfo;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuAttest;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * Checks a quote in software (no TPM): the AK is an attestation key, its signature covers the quote,
 * the quote is a TPM-made TPMS_ATTEST of type quote, carries the verifier's nonce, covers the PCR
 * selection asked for, and its pcrDigest is the hash of the reported PCR values in selection order;
 * against an earlier quote of the same machine, the clock and the reset and restart counters reveal
 * replays and reboots. Every failed check is reported, not only the first.
 */
public final class QuoteVerifier {
    private QuoteVerifier() {
    }

    /** The parsed quote (null when it could not be parsed) and every failed check. */
    public record Result(TpmsAttest attest, List<Failure> failures) {
        public Result {
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }
    }

    /**
     * @param ak        the AK's public area, trusted through credential activation
     * @param expected  the selection the verifier asked for; null accepts the quote's own selection
     * @param previous  the clock of the last quote accepted from this machine, or null
     */
    public static Result verify(TpmtPublic ak, Evidence evidence, byte[] nonce, List<TpmsPcrSelection> expected,
            TpmsClockInfo previous) {
        List<Failure> failures = new ArrayList<>();
        try {
            AttestationKeys.requireAttestationKey(ak);
        } catch (IllegalArgumentException e) {
            failures.add(new Failure("ak", e.getMessage() + "; a non-restricted key can sign forged quotes"));
        }
        AttestSignatures.check(ak, evidence.quoted(), evidence.signature()).ifPresent(failures::add);
        checkScheme(ak, evidence.signature(), failures);
        TpmsAttest attest;
        try {
            attest = TpmsAttest.fromBytes(evidence.quoted());
        } catch (TpmFormatException e) {
            failures.add(new Failure("attest", "the quote is not a TPM-made TPMS_ATTEST: " + e.getMessage()));
            return new Result(null, failures);
        }
        if (!(attest.attested() instanceof TpmuAttest.Quote quote)) {
            failures.add(new Failure("attest-type", String.format("the structure is of type 0x%04x, not "
                    + "TPM_ST_ATTEST_QUOTE 0x%04x", attest.type(), TpmSt.ATTEST_QUOTE)));
            return new Result(attest, failures);
        }
        if (!Arrays.equals(attest.extraData(), nonce)) {
            failures.add(new Failure("nonce", "the quote carries nonce " + hex(attest.extraData()) + ", not "
                    + hex(nonce) + ": an old or foreign quote"));
        }
        checkSelection(quote.pcrSelect(), expected, failures);
        checkPcrDigest(quote, evidence, failures);
        checkClock(attest.clockInfo(), previous, failures);
        return new Result(attest, failures);
    }

    private static void checkScheme(TpmtPublic ak, TpmtSignature signature, List<Failure> failures) {
        TpmtAsymScheme scheme = ak.parameters() instanceof TpmuPublicParms.Ecc ecc ? ecc.scheme()
                : ak.parameters() instanceof TpmuPublicParms.Rsa rsa ? rsa.scheme() : TpmtAsymScheme.NULL;
        if (scheme.scheme() != TpmAlg.NULL && (scheme.scheme() != signature.sigAlg() || scheme.hash() != hashOf(signature))) {
            failures.add(new Failure("signature-scheme", "the signature is " + signature.sigAlg() + "/" + hashOf(signature)
                    + ", but the AK signs with " + scheme.scheme() + "/" + scheme.hash()));
        }
    }

    private static void checkSelection(List<TpmsPcrSelection> quoted, List<TpmsPcrSelection> expected,
            List<Failure> failures) {
        if (quoted.stream().allMatch(s -> s.pcrs().isEmpty())) {
            failures.add(new Failure("pcr-selection", "the quote covers no PCR (a bank the TPM does not have?)"));
        } else if (expected != null && !sameSelection(quoted, expected)) {
            failures.add(new Failure("pcr-selection", "the quote covers " + PcrSelections.format(quoted)
                    + ", not the " + PcrSelections.format(expected) + " asked for"));
        }
    }

    private static boolean sameSelection(List<TpmsPcrSelection> a, List<TpmsPcrSelection> b) {
        List<TpmsPcrSelection> x = a.stream().filter(s -> !s.pcrs().isEmpty()).toList();
        List<TpmsPcrSelection> y = b.stream().filter(s -> !s.pcrs().isEmpty()).toList();
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (x.get(i).hash() != y.get(i).hash() || !x.get(i).pcrs().equals(y.get(i).pcrs())) {
                return false;
            }
        }
        return true;
    }

    /** pcrDigest = H_sig(values in selection order); every quoted PCR reported and every reported one quoted. */
    private static void checkPcrDigest(TpmuAttest.Quote quote, Evidence evidence, List<Failure> failures) {
        ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
        List<String> missing = new ArrayList<>();
        for (TpmsPcrSelection s : quote.pcrSelect()) {
            for (int pcr : s.pcrs()) {
                byte[] v = evidence.pcrs().get(s.hash(), pcr);
                if (v == null) {
                    missing.add(s.hash().name().toLowerCase() + ":" + pcr);
                } else {
                    concatenated.writeBytes(v);
                }
            }
        }
        if (!missing.isEmpty()) {
            failures.add(new Failure("pcrs-missing", "the evidence lacks the values of quoted PCRs " + missing));
            return;
        }
        List<String> unquoted = new ArrayList<>();
        for (Map.Entry<TpmAlg, SortedMap<Integer, byte[]>> bank : evidence.pcrs().banks().entrySet()) {
            for (int pcr : bank.getValue().keySet()) {
                boolean covered = quote.pcrSelect().stream().anyMatch(s -> s.hash() == bank.getKey() && s.pcrs().contains(pcr));
                if (!covered) {
                    unquoted.add(bank.getKey().name().toLowerCase() + ":" + pcr);
                }
            }
        }
        if (!unquoted.isEmpty()) {
            failures.add(new Failure("pcrs-unquoted", "the evidence reports PCRs the quote does not cover: " + unquoted));
        }
        TpmAlg hash = hashOf(evidence.signature());
        if (!hash.isHash()) {
            return; // the signature check already failed
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance(hash.jcaDigestName()).digest(concatenated.toByteArray());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!Arrays.equals(digest, quote.pcrDigest())) {
            failures.add(new Failure("pcr-digest", "the reported PCR values do not hash to the quoted pcrDigest "
                    + hex(quote.pcrDigest()) + ": the values were altered after the quote"));
        }
    }

    private static void checkClock(TpmsClockInfo now, TpmsClockInfo previous, List<Failure> failures) {
        if (!now.safe()) {
            failures.add(new Failure("clock-safe", "the TPM says its clock may have gone back (safe = 0)"));
        }
        if (previous == null) {
            return;
        }
        if (now.resetCount() != previous.resetCount()) {
            failures.add(new Failure("reboot", "the TPM was reset since the last quote (resetCount "
                    + Integer.toUnsignedString(previous.resetCount()) + " -> " + Integer.toUnsignedString(now.resetCount())
                    + "): the machine rebooted; verify a fresh event log"));
        } else if (now.restartCount() != previous.restartCount()) {
            failures.add(new Failure("restart", "the TPM was restarted since the last quote (restartCount "
                    + Integer.toUnsignedString(previous.restartCount()) + " -> "
                    + Integer.toUnsignedString(now.restartCount()) + "): the machine resumed from hibernation"));
        } else if (Long.compareUnsigned(now.clock(), previous.clock()) <= 0) {
            failures.add(new Failure("replay", "the quote's clock " + Long.toUnsignedString(now.clock())
                    + " ms is not after the last quote's " + Long.toUnsignedString(previous.clock())
                    + " ms: a replayed old quote"));
        }
    }

    private static TpmAlg hashOf(TpmtSignature s) {
        if (s instanceof TpmtSignature.Rsa r) {
            return r.hash();
        }
        if (s instanceof TpmtSignature.Ecc e) {
            return e.hash();
        }
        return TpmAlg.NULL;
    }

    private static String hex(byte[] b) {
        return b.length == 0 ? "(empty)" : HexFormat.of().formatHex(b);
    }
}
