package org.tpmauth.tss.policy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmlDigest;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A policy digest computed in software, as a TPM trial session computes it: each method applies the
 * "policyDigest update" of one policy command (TPM 2.0 Part 3, the TPM2_Policy* commands) and returns
 * this calculator. The result becomes an object's authPolicy. Not thread-safe.
 */
public final class PolicyDigest {
    private final TpmAlg nameAlg;
    private byte[] digest;

    /** A fresh policy: a zero digest of {@code nameAlg}'s size. */
    public PolicyDigest(TpmAlg nameAlg) {
        if (!nameAlg.isHash()) {
            throw new IllegalArgumentException("a policy digest needs a hash algorithm, not " + nameAlg);
        }
        this.nameAlg = nameAlg;
        this.digest = new byte[nameAlg.digestSize()];
    }

    public TpmAlg nameAlg() {
        return nameAlg;
    }

    /** The current policy digest. */
    public byte[] value() {
        return digest.clone();
    }

    /** TPM2_PolicyPCR: H(old || TPM_CC_PolicyPCR || TPML_PCR_SELECTION || pcrDigest). */
    public PolicyDigest pcr(List<TpmsPcrSelection> pcrs, byte[] pcrDigest) {
        return extend(TpmCc.PolicyPCR, TpmWriter.marshal(out -> TpmsPcrSelection.writeList(out, pcrs)), pcrDigest);
    }

    /** The pcrDigest of TPM2_PolicyPCR: the hash of the selected PCR values, in selection order. */
    public static byte[] pcrValuesDigest(TpmAlg nameAlg, List<byte[]> pcrValues) {
        return hash(nameAlg, pcrValues.toArray(byte[][]::new));
    }

    /** TPM2_PolicyAuthValue: H(old || TPM_CC_PolicyAuthValue). */
    public PolicyDigest authValue() {
        return extend(TpmCc.PolicyAuthValue);
    }

    /** TPM2_PolicyPassword: the same digest as TPM2_PolicyAuthValue (Part 3 says so). */
    public PolicyDigest password() {
        return authValue();
    }

    /** TPM2_PolicyCommandCode: H(old || TPM_CC_PolicyCommandCode || code). */
    public PolicyDigest commandCode(int code) {
        return extend(TpmCc.PolicyCommandCode, u32(code));
    }

    /** TPM2_PolicyOR: H(zeros || TPM_CC_PolicyOR || the branch digests), whatever came before. */
    public PolicyDigest or(List<byte[]> branches) {
        if (branches.size() < 2 || branches.size() > TpmlDigest.MAX_COUNT) {
            throw new IllegalArgumentException("a policy OR has 2 to " + TpmlDigest.MAX_COUNT + " branches, not "
                    + branches.size());
        }
        digest = new byte[nameAlg.digestSize()];
        return extend(TpmCc.PolicyOR, branches.toArray(byte[][]::new));
    }

    /** TPM2_PolicySecret: PolicyUpdate(TPM_CC_PolicySecret, the entity's Name, policyRef). */
    public PolicyDigest secret(byte[] authObjectName, byte[] policyRef) {
        return policyUpdate(TpmCc.PolicySecret, authObjectName, policyRef);
    }

    /** TPM2_PolicySigned: PolicyUpdate(TPM_CC_PolicySigned, the signing key's Name, policyRef). */
    public PolicyDigest signed(byte[] keyName, byte[] policyRef) {
        return policyUpdate(TpmCc.PolicySigned, keyName, policyRef);
    }

    /**
     * TPM2_PolicyAuthorize: the digest is reset, then PolicyUpdate(TPM_CC_PolicyAuthorize, the Name of
     * the key that signs approved policies, policyRef).
     */
    public PolicyDigest authorize(byte[] keySignName, byte[] policyRef) {
        digest = new byte[nameAlg.digestSize()];
        return policyUpdate(TpmCc.PolicyAuthorize, keySignName, policyRef);
    }

    /** TPM2_PolicyNV: H(old || TPM_CC_PolicyNV || H(operandB || offset || operation) || the index's Name). */
    public PolicyDigest nv(byte[] nvIndexName, byte[] operandB, int offset, int operation) {
        return extend(TpmCc.PolicyNV, operandArgs(operandB, offset, operation), nvIndexName);
    }

    /** TPM2_PolicyCounterTimer: H(old || TPM_CC_PolicyCounterTimer || H(operandB || offset || operation)). */
    public PolicyDigest counterTimer(byte[] operandB, int offset, int operation) {
        return extend(TpmCc.PolicyCounterTimer, operandArgs(operandB, offset, operation));
    }

    /** TPM2_PolicyLocality: H(old || TPM_CC_PolicyLocality || TPMA_LOCALITY). */
    public PolicyDigest locality(int locality) {
        return extend(TpmCc.PolicyLocality, new byte[] {(byte) locality});
    }

    /** TPM2_PolicyNvWritten: H(old || TPM_CC_PolicyNvWritten || writtenSet). */
    public PolicyDigest nvWritten(boolean writtenSet) {
        return extend(TpmCc.PolicyNvWritten, new byte[] {(byte) (writtenSet ? 1 : 0)});
    }

    /**
     * TPM2_PolicyDuplicationSelect: H(old || TPM_CC_PolicyDuplicationSelect || [objectName] || newParentName
     * || includeObject), the object's Name only when {@code includeObject}.
     */
    public PolicyDigest duplicationSelect(byte[] objectName, byte[] newParentName, boolean includeObject) {
        byte[] include = {(byte) (includeObject ? 1 : 0)};
        return includeObject ? extend(TpmCc.PolicyDuplicationSelect, objectName, newParentName, include)
                : extend(TpmCc.PolicyDuplicationSelect, newParentName, include);
    }

    private byte[] operandArgs(byte[] operandB, int offset, int operation) {
        return hash(nameAlg, operandB, TpmWriter.marshal(out -> out.u16(offset).u16(operation)));
    }

    /** PolicyUpdate (Part 3, TPM2_PolicySigned): H(H(old || code || name) || policyRef). */
    private PolicyDigest policyUpdate(int code, byte[] name, byte[] policyRef) {
        extend(code, name);
        digest = hash(nameAlg, digest, policyRef);
        return this;
    }

    private PolicyDigest extend(int code, byte[]... arguments) {
        byte[][] parts = new byte[arguments.length + 2][];
        parts[0] = digest;
        parts[1] = u32(code);
        System.arraycopy(arguments, 0, parts, 2, arguments.length);
        digest = hash(nameAlg, parts);
        return this;
    }

    private static byte[] u32(int v) {
        return TpmWriter.marshal(out -> out.u32(v));
    }

    /** H(parts...) with {@code alg}: the hash policy digests, approved-policy signatures and Names use. */
    public static byte[] hash(TpmAlg alg, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(alg.jcaDigestName());
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(alg + " is not available", e);
        }
    }

    @Override
    public String toString() {
        return "PolicyDigest[" + nameAlg + ", " + HexFormat.of().formatHex(digest) + "]";
    }
}
