package org.tpmauth.tss.types;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.KeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Objects;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_PUBLIC: the public area of a TPM object. The object type (TPMI_ALG_PUBLIC) is the type of
 * {@code parameters}, which selects both unions (TPMU_PUBLIC_PARMS, TPMU_PUBLIC_ID);
 * {@code objectAttributes} holds {@link TpmaObject} bits. Wrapped in a size it is TPM2B_PUBLIC
 * ({@link #readSized}, {@link #marshalSized}), and the same bytes form a TPM2B_TEMPLATE.
 */
public record TpmtPublic(TpmAlg nameAlg, int objectAttributes, byte[] authPolicy, TpmuPublicParms parameters,
        TpmuPublicId unique) implements TpmMarshallable {
    private static final BigInteger DEFAULT_EXPONENT = BigInteger.valueOf(65537);

    public TpmtPublic {
        AlgSets.require(nameAlg, AlgSets.HASHES_OR_NULL, "a name algorithm");
        Objects.requireNonNull(authPolicy, "authPolicy");
        if (!unique.suits(parameters.type())) {
            throw new IllegalArgumentException("unique " + unique.getClass().getSimpleName()
                    + " does not belong to a " + parameters.type() + " object");
        }
    }

    /** A creation template: no policy, empty unique. */
    public TpmtPublic(TpmAlg nameAlg, int objectAttributes, TpmuPublicParms parameters) {
        this(nameAlg, objectAttributes, new byte[0], parameters, TpmuPublicId.empty(parameters.type()));
    }

    /** The object type: RSA, ECC, KEYEDHASH or SYMCIPHER. */
    public TpmAlg type() {
        return parameters.type();
    }

    @Override
    public void marshal(TpmWriter out) {
        type().marshal(out);
        nameAlg.marshal(out);
        out.u32(objectAttributes).sized(authPolicy);
        parameters.marshal(out);
        unique.marshal(out);
    }

    /** TPM2B_PUBLIC (or TPM2B_TEMPLATE). */
    public void marshalSized(TpmWriter out) {
        out.sizedStruct(this::marshal);
    }

    public static TpmtPublic read(TpmReader in) {
        return in.struct("TPMT_PUBLIC", r -> {
            TpmAlg type = TpmuPublicParms.readType(r);
            TpmAlg nameAlg = AlgSets.readOneOf(r, AlgSets.HASHES_OR_NULL, "a name algorithm");
            int attributes = r.u32();
            byte[] authPolicy = r.sized(Tpm2bLimits.DIGEST);
            TpmuPublicParms parameters = TpmuPublicParms.read(r, type);
            return new TpmtPublic(nameAlg, attributes, authPolicy, parameters, TpmuPublicId.read(r, type));
        });
    }

    /** TPM2B_PUBLIC: the size must match the TPMT_PUBLIC exactly. */
    public static TpmtPublic readSized(TpmReader in) {
        return in.sizedStruct("TPM2B_PUBLIC", TpmtPublic::read);
    }

    /**
     * The object's Name: nameAlg (UINT16) followed by the nameAlg digest of this TPMT_PUBLIC; empty
     * when nameAlg is NULL.
     */
    public byte[] name() {
        if (nameAlg == TpmAlg.NULL) {
            return new byte[0];
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(nameAlg.jcaDigestName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no JCA provider implements the name algorithm " + nameAlg, e);
        }
        TpmWriter out = new TpmWriter();
        nameAlg.marshal(out);
        out.bytes(md.digest(toBytes()));
        return out.toByteArray();
    }

    /**
     * The public key as a JCA key: RSA, or EC on a NIST curve.
     *
     * @throws UnsupportedOperationException for other object types and curves
     * @throws IllegalStateException when unique holds no key (a creation template)
     */
    public PublicKey toPublicKey() {
        if (parameters instanceof TpmuPublicParms.Rsa rsa && unique instanceof TpmuPublicId.Rsa key) {
            requirePresent(key.modulus().length);
            BigInteger e = rsa.exponent() == 0 ? DEFAULT_EXPONENT : BigInteger.valueOf(rsa.exponent() & 0xffffffffL);
            return generate("RSA", new RSAPublicKeySpec(Unsigned.toBigInteger(key.modulus()), e));
        }
        if (parameters instanceof TpmuPublicParms.Ecc ecc && unique instanceof TpmuPublicId.Ecc key) {
            requirePresent(key.point().x().length);
            return generate("EC", new ECPublicKeySpec(key.point().toEcPoint(), EccCurves.parameters(ecc.curveId())));
        }
        throw new UnsupportedOperationException("a " + type() + " object has no public key");
    }

    private static void requirePresent(int length) {
        if (length == 0) {
            throw new IllegalStateException("unique is empty: this is a template, not a created key");
        }
    }

    private static PublicKey generate(String algorithm, KeySpec spec) {
        try {
            return KeyFactory.getInstance(algorithm).generatePublic(spec);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the TPM's " + algorithm + " public key is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * The public area of a JCA RSA or EC public key, for TPM2_LoadExternal: no policy, symmetric NULL,
     * the given scheme, and the key in unique (the RSA modulus padded to whole bytes, EC coordinates
     * padded to the curve's size).
     */
    public static TpmtPublic ofPublicKey(PublicKey key, TpmAlg nameAlg, int objectAttributes, TpmtAsymScheme scheme) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = (rsa.getModulus().bitLength() + 7) / 8 * 8;
            BigInteger e = rsa.getPublicExponent();
            if (e.bitLength() > 32) {
                throw new IllegalArgumentException("the RSA exponent does not fit the TPM's 32-bit field");
            }
            int exponent = e.equals(DEFAULT_EXPONENT) ? 0 : e.intValue();
            return new TpmtPublic(nameAlg, objectAttributes, new byte[0],
                    new TpmuPublicParms.Rsa(TpmtSymDefObject.NULL, scheme, bits, exponent),
                    new TpmuPublicId.Rsa(Unsigned.toBytes(rsa.getModulus(), bits / 8)));
        }
        if (key instanceof ECPublicKey ec) {
            TpmEccCurve curve = EccCurves.of(ec.getParams());
            return new TpmtPublic(nameAlg, objectAttributes, new byte[0], new TpmuPublicParms.Ecc(scheme, curve),
                    new TpmuPublicId.Ecc(TpmsEccPoint.of(ec.getW(), curve)));
        }
        throw new UnsupportedOperationException("only RSA and EC public keys can be loaded into a TPM, not "
                + key.getAlgorithm());
    }

    /** {@link #ofPublicKey(PublicKey, TpmAlg, int, TpmtAsymScheme)} with scheme NULL. */
    public static TpmtPublic ofPublicKey(PublicKey key, TpmAlg nameAlg, int objectAttributes) {
        return ofPublicKey(key, nameAlg, objectAttributes, TpmtAsymScheme.NULL);
    }
}
