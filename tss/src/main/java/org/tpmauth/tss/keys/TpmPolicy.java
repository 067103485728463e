package org.tpmauth.tss.keys;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * One element of a TSS2 key file's {@code [1] policy} field (or of a signed policy in its {@code [3]
 * authPolicy} field): {@code TPMPolicy ::= SEQUENCE { commandCode [0] EXPLICIT INTEGER, commandPolicy [1]
 * EXPLICIT OCTET STRING }}. tpmauth runs three policy commands, with the commandPolicy layouts of
 * openssl_tpm2_engine (the format's reference implementation):
 * <ul>
 * <li>TPM2_PolicyPCR: TPML_PCR_SELECTION || pcrDigest (the digest without a size);</li>
 * <li>TPM2_PolicyAuthValue: empty;</li>
 * <li>TPM2_PolicyAuthorize: TPM2B_PUBLIC keySign || TPM2B_DIGEST policyRef || TPMT_SIGNATURE, the
 * signature over H(approvedPolicy || policyRef); TPM_ALG_NULL in the key's own policy, where the statement
 * only names the signer.</li>
 * </ul>
 */
public record TpmPolicy(int commandCode, byte[] commandPolicy) {
    /** The policy commands tpmauth can run from a key file. */
    static final List<Integer> SUPPORTED = List.of(TpmCc.PolicyPCR, TpmCc.PolicyAuthValue, TpmCc.PolicyAuthorize);

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

    /** TPM2_PolicyAuthorize by {@code signer} with {@code signature} (NULL in a key's own policy). */
    public static TpmPolicy authorize(TpmtPublic signer, byte[] policyRef, TpmtSignature signature) {
        return new TpmPolicy(TpmCc.PolicyAuthorize, TpmWriter.marshal(out -> {
            signer.marshalSized(out);
            out.sized(policyRef);
            signature.marshal(out);
        }));
    }

    /** The PCR selection of a TPM2_PolicyPCR element. */
    public List<TpmsPcrSelection> pcrs() {
        return pcrParts().pcrs();
    }

    /** The pcrDigest of a TPM2_PolicyPCR element: the hash of the PCR values the policy wants. */
    public byte[] pcrDigest() {
        return pcrParts().pcrDigest();
    }

    private record PcrParts(List<TpmsPcrSelection> pcrs, byte[] pcrDigest) {
    }

    private PcrParts pcrParts() {
        require(TpmCc.PolicyPCR, "a PCR selection");
        return new TpmReader(commandPolicy).struct("TPM2_PolicyPCR commandPolicy",
                in -> new PcrParts(TpmsPcrSelection.readList(in), in.bytes(in.remaining())));
    }

    /** The signer's public area (keySign) of a TPM2_PolicyAuthorize element. */
    public TpmtPublic signer() {
        return authorizeParts().signer();
    }

    /** The policyRef of a TPM2_PolicyAuthorize element. */
    public byte[] policyRef() {
        return authorizeParts().policyRef();
    }

    /** The signature of a TPM2_PolicyAuthorize element (TPM_ALG_NULL in a key's own policy). */
    public TpmtSignature signature() {
        return authorizeParts().signature();
    }

    private record AuthorizeParts(TpmtPublic signer, byte[] policyRef, TpmtSignature signature) {
    }

    private AuthorizeParts authorizeParts() {
        require(TpmCc.PolicyAuthorize, "a signer");
        return new TpmReader(commandPolicy).struct("TPM2_PolicyAuthorize commandPolicy", in -> {
            AuthorizeParts parts = new AuthorizeParts(TpmtPublic.readSized(in), in.sized(64), TpmtSignature.read(in));
            in.expectEnd();
            return parts;
        });
    }

    private void require(int code, String what) {
        if (commandCode != code) {
            throw new IllegalStateException(TpmCc.nameOf(commandCode) + " has no " + what);
        }
    }

    /**
     * Checks the commandPolicy layout.
     *
     * @throws org.tpmauth.tss.wire.TpmFormatException when it is malformed
     */
    void check() {
        if (commandCode == TpmCc.PolicyPCR) {
            pcrs();
        } else if (commandCode == TpmCc.PolicyAuthorize) {
            authorizeParts();
        }
    }

    /**
     * The policy digest that running {@code policy} (elements tpmauth supports) gives: an object's
     * authPolicy, or the approvedPolicy a signer signs.
     */
    public static byte[] digest(List<TpmPolicy> policy, TpmAlg nameAlg) {
        PolicyDigest digest = new PolicyDigest(nameAlg);
        for (TpmPolicy p : policy) {
            switch (p.commandCode) {
                case TpmCc.PolicyPCR -> digest.pcr(p.pcrs(), p.pcrDigest());
                case TpmCc.PolicyAuthValue -> digest.authValue();
                case TpmCc.PolicyAuthorize -> digest.authorize(p.signer().name(), p.policyRef());
                default -> throw new IllegalArgumentException(TpmCc.nameOf(p.commandCode) + " is not supported");
            }
        }
        return digest.value();
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
        return switch (commandCode) {
            case TpmCc.PolicyPCR -> "PolicyPCR(" + String.join(", ", pcrs().stream().map(Object::toString).toList())
                    + ")";
            case TpmCc.PolicyAuthorize -> "PolicyAuthorize(" + (signature().sigAlg() == TpmAlg.NULL ? "signer "
                    : "signed by ") + HexFormat.of().formatHex(signer().name()) + ")";
            default -> TpmCc.nameOf(commandCode);
        };
    }
}
