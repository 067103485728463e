package org.tpmauth.tss.fapi;

import java.nio.file.Path;
import java.util.Locale;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKdfScheme;
import org.tpmauth.tss.types.TpmtKeyedHashScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A FAPI cryptographic profile ({@code /etc/tpm2-tss/fapi-profiles/P_ECCP256SHA256.json}): the key
 * type, name algorithm, curve or RSA size, signing scheme and the SRK's persistent handle. It yields
 * the templates FAPI uses, so that a tpmauth-provisioned SRK and EK have the names FAPI's have.
 *
 * @param name          the profile name, the first directory of every keystore path
 * @param type          RSA or ECC
 * @param nameAlg       the name algorithm of the keys
 * @param curve         the curve of ECC keys (NONE for RSA)
 * @param keyBits       the size of RSA keys (0 for ECC)
 * @param exponent      the RSA exponent (0: 65537)
 * @param signingScheme the scheme signatures use
 * @param srkHandle     the SRK's persistent handle from {@code srk_template}, 0 when the SRK is not persisted
 */
public record FapiProfile(String name, TpmAlg type, TpmAlg nameAlg, TpmEccCurve curve, int keyBits, int exponent,
        TpmtSigScheme signingScheme, int srkHandle) {

    /** Storage keys: fixedTPM | fixedParent | sensitiveDataOrigin | restricted | decrypt. */
    private static final int STORAGE = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.RESTRICTED | TpmaObject.DECRYPT;

    /** Reads a profile file. */
    public static FapiProfile load(Path file, String name) {
        JsonFields json = JsonFields.of(file.toString(), FapiJson.readObject(file));
        TpmAlg type = json.alg("type");
        if (type != TpmAlg.RSA && type != TpmAlg.ECC) {
            throw json.error("type", "must be TPM2_ALG_RSA or TPM2_ALG_ECC");
        }
        String schemeField = type == TpmAlg.RSA ? "rsa_signing_scheme" : "ecc_signing_scheme";
        TpmtSigScheme scheme = PublicAreaJson.readSigScheme(json.object(schemeField));
        TpmEccCurve curve = type == TpmAlg.ECC ? PublicAreaJson.curve(json) : TpmEccCurve.NONE;
        return new FapiProfile(name, type, json.alg("nameAlg"), curve,
                type == TpmAlg.RSA ? json.u16("keyBits") : 0, type == TpmAlg.RSA ? json.u32("exponent") : 0,
                scheme, srkHandle(json));
    }

    /** The persistent handle among the {@code srk_template} flags ("system,restricted,decrypt,0x81000001"). */
    private static int srkHandle(JsonFields json) {
        for (String flag : json.text("srk_template").split(",")) {
            String f = flag.trim().toLowerCase(Locale.ROOT);
            if (f.startsWith("0x81")) {
                try {
                    return Integer.parseUnsignedInt(f.substring(2), 16);
                } catch (NumberFormatException e) {
                    throw json.error("srk_template", "has a bad persistent handle " + f);
                }
            }
        }
        return 0;
    }

    private TpmuPublicParms parms(TpmtSymDefObject symmetric) {
        return type == TpmAlg.RSA ? new TpmuPublicParms.Rsa(symmetric, TpmtAsymScheme.NULL, keyBits, exponent)
                : new TpmuPublicParms.Ecc(symmetric, TpmtAsymScheme.NULL, curve, TpmtKdfScheme.NULL);
    }

    /** The SRK template FAPI provisions: a storage key with userWithAuth, AES-128-CFB, empty unique. */
    public TpmtPublic srkTemplate() {
        return new TpmtPublic(nameAlg, STORAGE | TpmaObject.USER_WITH_AUTH, parms(TpmtSymDefObject.AES_128_CFB));
    }

    /**
     * The EK template FAPI provisions: a storage key with adminWithPolicy and the policy
     * PolicySecret(TPM_RH_ENDORSEMENT), as the TCG EK credential profile's default EK.
     */
    public TpmtPublic ekTemplate() {
        TpmtPublic shape = new TpmtPublic(nameAlg, STORAGE | TpmaObject.ADMIN_WITH_POLICY,
                parms(TpmtSymDefObject.AES_128_CFB));
        return new TpmtPublic(nameAlg, shape.objectAttributes(), ekPolicyDigest(), shape.parameters(), shape.unique());
    }

    /** PolicySecret(TPM_RH_ENDORSEMENT), the {@code ek_policy} of both shipped profiles. */
    public byte[] ekPolicyDigest() {
        return new PolicyDigest(nameAlg).secret(TpmWriter.marshal(out -> out.u32(TpmHandles.RH_ENDORSEMENT)),
                new byte[0]).value();
    }

    /**
     * A key template as {@code tss2_createkey --type} makes it: sensitiveDataOrigin, fixedTPM |
     * fixedParent unless exportable, and the type's flags; userWithAuth without a policy, adminWithPolicy with one
     * (then only the policy authorizes the key).
     */
    public TpmtPublic keyTemplate(KeyType keyType, byte[] authPolicy) {
        int attributes = TpmaObject.SENSITIVE_DATA_ORIGIN | authorization(authPolicy) | keyType.attributes();
        TpmtPublic shape = new TpmtPublic(nameAlg, attributes, parms(keyType.restricted()
                ? TpmtSymDefObject.AES_128_CFB : TpmtSymDefObject.NULL));
        return new TpmtPublic(nameAlg, attributes, authPolicy, shape.parameters(), shape.unique());
    }

    private static int authorization(byte[] authPolicy) {
        return authPolicy.length == 0 ? TpmaObject.USER_WITH_AUTH : TpmaObject.ADMIN_WITH_POLICY;
    }

    /** A sealed data object's template as {@code tss2_createseal} makes it: fixedTPM | fixedParent, auth as for keys. */
    public TpmtPublic sealTemplate(byte[] authPolicy, boolean noDa) {
        int attributes = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT | authorization(authPolicy)
                | (noDa ? TpmaObject.NO_DA : 0);
        TpmtPublic shape = new TpmtPublic(nameAlg, attributes, new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.NULL));
        return new TpmtPublic(nameAlg, attributes, authPolicy, shape.parameters(), shape.unique());
    }
}
