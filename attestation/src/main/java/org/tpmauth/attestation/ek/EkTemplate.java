package org.tpmauth.attestation.ek;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Collectors;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKdfScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * The endorsement key templates of the TCG EK Credential Profile for TPM 2.0 that tpmauth recreates,
 * with the NV index where the manufacturer stores each one's certificate. The same template gives the
 * same key on the same TPM, so the EK is recreated on demand rather than kept.
 *
 * <p>Low-range templates (L-1, L-2) leave userWithAuth clear: the EK is used only through a
 * PolicySecret(TPM_RH_ENDORSEMENT) session. The high-range H-3 (swtpm's own ECC EK) sets it.
 */
public enum EkTemplate {
    /** L-1: RSA-2048, SHA-256, AES-128-CFB, PolicyA; certificate at 0x01C00002. */
    RSA_2048("rsa", 0x01C00002, TpmAlg.SHA256, false),
    /** L-2: ECC NIST P-256, SHA-256, AES-128-CFB, PolicyA; certificate at 0x01C0000A. */
    ECC_P256("ecc", 0x01C0000A, TpmAlg.SHA256, false),
    /** H-3: ECC NIST P-384, SHA-384, AES-256-CFB, PolicyB; certificate at 0x01C00016 (swtpm's ECC EK). */
    ECC_P384("ecc384", 0x01C00016, TpmAlg.SHA384, true);

    /** fixedTPM | fixedParent | sensitiveDataOrigin | adminWithPolicy | restricted | decrypt (0x000300B2). */
    private static final int LOW_ATTRIBUTES = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.ADMIN_WITH_POLICY | TpmaObject.RESTRICTED
            | TpmaObject.DECRYPT;
    /** PolicyOR(PolicyA, PolicyC) with SHA-384, as the EK profile and swtpm compute it. */
    private static final byte[] POLICY_B_SHA384 = HexFormat.of().parseHex("b26e7d28d11a50bc53d882bcf5fd3a1a074148bb"
            + "35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc000f3f80e12");

    private final String cliName;
    private final int certificateIndex;
    private final TpmAlg nameAlg;
    private final boolean highRange;

    EkTemplate(String cliName, int certificateIndex, TpmAlg nameAlg, boolean highRange) {
        this.cliName = cliName;
        this.certificateIndex = certificateIndex;
        this.nameAlg = nameAlg;
        this.highRange = highRange;
    }

    /** The name on the command line: rsa, ecc, ecc384. */
    public String cliName() {
        return cliName;
    }

    /** The NV index of this EK's certificate. */
    public int certificateIndex() {
        return certificateIndex;
    }

    public TpmAlg nameAlg() {
        return nameAlg;
    }

    /** Whether the EK accepts its empty password (high range) or needs PolicySecret(TPM_RH_ENDORSEMENT). */
    public boolean userWithAuth() {
        return highRange;
    }

    /** Key size of the symmetric algorithm that protects credentials: 128 (low range) or 256 (H-3). */
    public int symmetricBits() {
        return highRange ? 256 : 128;
    }

    /** PolicyA = PolicySecret(TPM_RH_ENDORSEMENT) with an empty policyRef, in {@code hash}. */
    public static byte[] policyA(TpmAlg hash) {
        byte[] endorsementName = TpmWriter.marshal(out -> out.u32(TpmHandles.RH_ENDORSEMENT));
        return new PolicyDigest(hash).secret(endorsementName, new byte[0]).value();
    }

    /** The TPMT_PUBLIC to give TPM2_CreatePrimary under TPM_RH_ENDORSEMENT. */
    public TpmtPublic template() {
        int attributes = highRange ? LOW_ATTRIBUTES | TpmaObject.USER_WITH_AUTH : LOW_ATTRIBUTES;
        byte[] policy = highRange ? POLICY_B_SHA384.clone() : policyA(nameAlg);
        TpmtSymDefObject symmetric = new TpmtSymDefObject.Cipher(TpmAlg.AES, symmetricBits(), TpmAlg.CFB);
        return switch (this) {
            case RSA_2048 -> new TpmtPublic(nameAlg, attributes, policy,
                    new TpmuPublicParms.Rsa(symmetric, TpmtAsymScheme.NULL, 2048, 0), new TpmuPublicId.Rsa(new byte[256]));
            case ECC_P256 -> new TpmtPublic(nameAlg, attributes, policy, new TpmuPublicParms.Ecc(symmetric,
                    TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL),
                    new TpmuPublicId.Ecc(new TpmsEccPoint(new byte[32], new byte[32])));
            case ECC_P384 -> new TpmtPublic(nameAlg, attributes, policy, new TpmuPublicParms.Ecc(symmetric,
                    TpmtAsymScheme.NULL, TpmEccCurve.NIST_P384, TpmtKdfScheme.NULL), new TpmuPublicId.Ecc(TpmsEccPoint.EMPTY));
        };
    }

    /**
     * The template an EK public key was made from, as a verifier that has only the key (or its
     * certificate) assumes: RSA-2048 is L-1, P-256 is L-2, P-384 is H-3.
     */
    public static EkTemplate forPublicKey(PublicKey key) {
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() == 2048) {
            return RSA_2048;
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits == 256) {
                return ECC_P256;
            }
            if (bits == 384) {
                return ECC_P384;
            }
        }
        throw new IllegalArgumentException("the key is no EK of a supported profile template (RSA-2048, ECC P-256, "
                + "ECC P-384): " + key.getAlgorithm());
    }

    /** Parses {@code rsa | ecc | ecc384}. */
    public static EkTemplate parse(String name) {
        return Arrays.stream(values()).filter(t -> t.cliName.equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown EK type '" + name + "'; use one of "
                        + Arrays.stream(values()).map(EkTemplate::cliName).collect(Collectors.joining(", "))));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
