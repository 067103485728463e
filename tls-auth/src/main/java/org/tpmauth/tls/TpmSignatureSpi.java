package org.tpmauth.tls;

import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Locale;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A TPM2 provider signature (TPM2_Sign): the data is hashed here (or arrives hashed, for the NONEwith
 * forms) and the digest is signed inside the TPM. It signs only with a {@link TpmPrivateKey}: any other
 * key is refused with an InvalidKeyException, so JCA hands software keys to the next provider, and it
 * never verifies.
 */
final class TpmSignatureSpi extends NamedParameterlessSignatureSpi {
    /** Hashes a NONEwithECDSA input may come from, by digest length. */
    private static final List<TpmAlg> ECDSA_PREHASHES = List.of(TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512);
    /** The last signature this thread made, as a TLS SignatureScheme name (a handshake runs in one thread). */
    static final ThreadLocal<String> LAST_SCHEME = new ThreadLocal<>();
    /**
     * {@link #tlsName} of every scheme with the hashes a TPM signs, by the scheme's and the hash's ordinal:
     * every handshake's signature sets one, and two EnumMap look-ups cost more than the rest of this class
     * while the signing path still runs as profiled (C1) code, as it does for the first thousands of
     * handshakes.
     */
    private static final String[][] TLS_NAMES = new String[SigningScheme.values().length][TpmAlg.values().length];

    static {
        for (SigningScheme scheme : SigningScheme.values()) {
            for (TpmAlg hash : List.of(TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512)) {
                TLS_NAMES[scheme.ordinal()][hash.ordinal()] = spell(scheme, hash);
            }
        }
    }

    /** A prehashed input larger than this is no digest (or DigestInfo). */
    private static final int MAX_PREHASHED = 128;

    private final SigningScheme scheme;
    /** Whether update() receives the digest (NONEwithECDSA) or the DigestInfo (NONEwithRSA). */
    private final boolean prehashed;
    /** Whether the hash comes from a PSSParameterSpec (RSASSA-PSS) rather than the algorithm name. */
    private final boolean hashFromParameters;
    private TpmAlg hash;
    private TpmPrivateKey key;
    private MessageDigest digest;
    private final ByteArrayOutputStream input = new ByteArrayOutputStream();

    /**
     * @param hash   the hash the algorithm name fixes, or {@code null} for NONEwith and RSASSA-PSS
     * @param prehashed whether update() receives the digest (NONEwith) rather than the message
     */
    TpmSignatureSpi(SigningScheme scheme, TpmAlg hash, boolean prehashed) {
        this.scheme = scheme;
        this.hash = hash;
        this.prehashed = prehashed;
        this.hashFromParameters = hash == null && !prehashed;
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
        if (!(privateKey instanceof TpmPrivateKey tpmKey)) {
            throw new InvalidKeyException("the TPM2 provider signs only with TPM keys, not with "
                    + (privateKey == null ? "null" : privateKey.getClass().getName()));
        }
        if (scheme.isRsa() != "RSA".equals(tpmKey.getAlgorithm())) {
            throw new InvalidKeyException(scheme + " signatures need " + (scheme.isRsa() ? "an RSA" : "an EC")
                    + " key, not " + tpmKey.getAlgorithm());
        }
        key = tpmKey;
        reset();
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
        throw new InvalidKeyException("the TPM2 provider does not verify signatures; other providers do");
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
        engineUpdate(new byte[] {b}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
        if (key == null) {
            throw new SignatureException("not initialized for signing");
        }
        if (prehashed) {
            if (input.size() + len > MAX_PREHASHED) {
                throw new SignatureException("NONEwith" + scheme + " takes a digest, not " + (input.size() + len)
                        + " bytes");
            }
            input.write(b, off, len);
        } else {
            messageDigest().update(b, off, len);
        }
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        if (key == null) {
            throw new SignatureException("not initialized for signing");
        }
        try {
            if (prehashed) {
                byte[] in = input.toByteArray();
                byte[] signature = scheme == SigningScheme.ECDSA ? TpmSigner.ecdsa(key, in) : TpmSigner.pkcs1(key, in);
                TpmAlg h = TpmSigner.hashOfPrepared(scheme, in);
                if (h == null) {
                    LAST_SCHEME.remove();
                } else {
                    LAST_SCHEME.set(tlsName(scheme, h));
                }
                return signature;
            }
            byte[] toSign = messageDigest().digest();
            byte[] signature = scheme == SigningScheme.PSS ? TpmPss.sign(key.keys(), key.key(), toSign, hash)
                    : key.keys().sign(key.key(), toSign, hash, scheme);
            LAST_SCHEME.set(tlsName(scheme, hash));
            return signature;
        } catch (TpmException | IllegalArgumentException e) {
            throw new SignatureException("TPM signature failed: " + e.getMessage(), e);
        } finally {
            reset();
        }
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
        throw new SignatureException("the TPM2 provider does not verify signatures");
    }

    /**
     * PSS parameters: MGF1 with the same hash, salt length = hash length (what TLS 1.3 demands and
     * what the TPM produces), trailer field 1. Anything else is refused.
     */
    @Override
    protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
        if (scheme != SigningScheme.PSS) {
            if (params == null) {
                return;
            }
            throw new InvalidAlgorithmParameterException(scheme + " takes no parameters");
        }
        if (!(params instanceof PSSParameterSpec pss)) {
            throw new InvalidAlgorithmParameterException("RSASSA-PSS needs a PSSParameterSpec, not " + params);
        }
        TpmAlg h;
        try {
            h = TpmAlg.hashByName(pss.getDigestAlgorithm());
        } catch (IllegalArgumentException e) {
            throw new InvalidAlgorithmParameterException("PSS digest " + pss.getDigestAlgorithm() + " is not supported");
        }
        if (!ECDSA_PREHASHES.contains(h)) {
            throw new InvalidAlgorithmParameterException("PSS digest must be SHA-256, SHA-384 or SHA-512");
        }
        if (!hashFromParameters && h != hash) {
            throw new InvalidAlgorithmParameterException("PSS digest " + pss.getDigestAlgorithm()
                    + " does not match this algorithm's " + hash.jcaDigestName());
        }
        if (!"MGF1".equalsIgnoreCase(pss.getMGFAlgorithm())
                || !(pss.getMGFParameters() instanceof MGF1ParameterSpec mgf)
                || TpmAlg.hashByName(mgf.getDigestAlgorithm()) != h) {
            throw new InvalidAlgorithmParameterException("PSS needs MGF1 with " + h.jcaDigestName());
        }
        if (pss.getSaltLength() != h.digestSize()) {
            throw new InvalidAlgorithmParameterException("PSS salt length must equal the digest length ("
                    + h.digestSize() + " bytes for " + h.jcaDigestName() + "), not " + pss.getSaltLength());
        }
        if (pss.getTrailerField() != PSSParameterSpec.TRAILER_FIELD_BC) {
            throw new InvalidAlgorithmParameterException("PSS trailer field must be 1");
        }
        if (digest != null && hash != h) {
            throw new InvalidAlgorithmParameterException("PSS parameters must be set before the data");
        }
        hash = h;
    }

    /** The PSS parameters in use (RSASSA-PSS); none for the other algorithms. */
    @Override
    protected AlgorithmParameters engineGetParameters() {
        if (scheme != SigningScheme.PSS || hash == null) {
            return null;
        }
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("RSASSA-PSS");
            String h = hash.jcaDigestName();
            params.init(new PSSParameterSpec(h, "MGF1", new MGF1ParameterSpec(h), hash.digestSize(),
                    PSSParameterSpec.TRAILER_FIELD_BC));
            return params;
        } catch (GeneralSecurityException e) {
            throw new ProviderException("cannot encode PSS parameters", e);
        }
    }

    /**
     * The TLS SignatureScheme name (IANA registry, RFC 8446): "ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256",
     * "rsa_pss_rsae_sha256". The registry pairs each ECDSA hash with a curve (SHA-384 with secp384r1, SHA-512
     * with secp521r1); only ecdsa_sha1 has none.
     */
    static String tlsName(SigningScheme scheme, TpmAlg hash) {
        String known = TLS_NAMES[scheme.ordinal()][hash.ordinal()];
        return known != null ? known : spell(scheme, hash);
    }

    private static String spell(SigningScheme scheme, TpmAlg hash) {
        String h = hash.jcaDigestName().replace("-", "").toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case ECDSA -> "ecdsa_" + switch (h) {
                case "sha256" -> "secp256r1_";
                case "sha384" -> "secp384r1_";
                case "sha512" -> "secp521r1_";
                default -> "";
            } + h;
            case PKCS1 -> "rsa_pkcs1_" + h;
            case PSS -> "rsa_pss_rsae_" + h;
        };
    }

    private MessageDigest messageDigest() throws SignatureException {
        if (hash == null) {
            throw new SignatureException("RSASSA-PSS needs its PSSParameterSpec before data");
        }
        if (digest == null) {
            try {
                digest = MessageDigest.getInstance(hash.jcaDigestName());
            } catch (NoSuchAlgorithmException e) {
                throw new SignatureException(hash + " is not available in this JVM", e);
            }
        }
        return digest;
    }

    private void reset() {
        if (digest != null) {
            digest.reset();
        }
        input.reset();
    }
}
