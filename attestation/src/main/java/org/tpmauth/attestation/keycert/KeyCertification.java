package org.tpmauth.attestation.keycert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.attestation.AttestSignatures;
import org.tpmauth.attestation.Failure;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Certify;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuAttest;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * Key attestation: the AK signs (TPM2_Certify) that a key is loaded in the same TPM; a verifier then
 * knows the key is a TPM key with the attributes its public area claims.
 */
public final class KeyCertification {
    /** What a key must be for its certification to mean "this private key never leaves the TPM". */
    private static final int REQUIRED = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.SIGN_ENCRYPT;

    private KeyCertification() {
    }

    /** The certification: the TPMS_ATTEST bytes and the AK's signature over them. */
    public record Evidence(byte[] certifyInfo, TpmtSignature signature) {
    }

    /** TPM2_Certify of {@code key} by {@code ak} with the verifier's {@code nonce}. */
    public static Evidence certify(Tpm tpm, TpmKey key, TpmKey ak, byte[] nonce) {
        Certify.Response r = tpm.execute(new Certify(key.handle(), ak.handle(), nonce, TpmtSigScheme.NULL),
                key.auth(), ak.auth());
        return new Evidence(r.certifyInfo(), r.signature());
    }

    /**
     * Checks a certification: signed by the AK, a TPM-made certify structure, the nonce, the certified
     * Name equal to the Name of {@code key} (so the public key is the certified one), and the key
     * fixedTPM, fixedParent, sensitiveDataOrigin and a signing key. Returns every failure; none means valid.
     */
    public static List<Failure> verify(TpmtPublic ak, TpmtPublic key, Evidence evidence, byte[] nonce) {
        List<Failure> failures = new ArrayList<>();
        AttestSignatures.check(ak, evidence.certifyInfo(), evidence.signature()).ifPresent(failures::add);
        TpmsAttest attest;
        try {
            attest = TpmsAttest.fromBytes(evidence.certifyInfo());
        } catch (TpmFormatException e) {
            failures.add(new Failure("attest", "the certification is not a TPMS_ATTEST: " + e.getMessage()));
            return failures;
        }
        if (!(attest.attested() instanceof TpmuAttest.Certify certified)) {
            failures.add(new Failure("attest-type", String.format("the structure is of type 0x%04x, not "
                    + "TPM_ST_ATTEST_CERTIFY 0x%04x", attest.type(), TpmSt.ATTEST_CERTIFY)));
            return failures;
        }
        if (!Arrays.equals(attest.extraData(), nonce)) {
            failures.add(new Failure("nonce", "the certification carries nonce " + hex(attest.extraData())
                    + ", not the verifier's " + hex(nonce) + ": a replayed or foreign certification"));
        }
        if (!Arrays.equals(certified.name(), key.name())) {
            failures.add(new Failure("name", "the certified Name " + hex(certified.name()) + " is not the Name "
                    + hex(key.name()) + " of the given public key"));
        }
        int a = key.objectAttributes();
        if ((a & REQUIRED) != REQUIRED) {
            failures.add(new Failure("attributes", String.format("the key's attributes 0x%08x lack fixedTPM, "
                    + "fixedParent, sensitiveDataOrigin or sign: it may exist outside this TPM or not be a signing key", a)));
        }
        return failures;
    }

    private static String hex(byte[] b) {
        return b.length == 0 ? "(empty)" : HexFormat.of().formatHex(b);
    }
}
