package org.tpmauth.vpn.openvpn;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SignatureException;
import java.util.Locale;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.tpmauth.tls.TpmEcPrivateKey;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.TpmSigner;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Turns a {@code >PK_SIGN} request into a signature with a TPM key, through {@link TpmSigner}: ECDSA (DER),
 * RSASSA-PSS with the requested hash and salt length, PKCS#1 v1.5 over a DigestInfo, raw RSA; with
 * {@code data=message} the message is hashed here first. A request the key cannot serve fails with a
 * {@link SignatureException} that says why.
 */
public final class PkSigner {
    private final TpmPrivateKey key;

    public PkSigner(TpmPrivateKey key) {
        this.key = key;
    }

    public byte[] sign(byte[] data, SignAlgorithm algorithm) throws SignatureException {
        return switch (algorithm.padding()) {
            case ECDSA -> TpmSigner.ecdsa(key, input(data, algorithm));
            case RSA_PKCS1_PADDING -> TpmSigner.pkcs1(key, algorithm.message() ? digestInfo(data, algorithm) : data);
            case RSA_NO_PADDING -> {
                if (algorithm.message()) {
                    throw new SignatureException("RSA_NO_PADDING over a message (data=message) is not defined");
                }
                yield TpmSigner.rsaRaw(key, data);
            }
            case RSA_PKCS1_PSS_PADDING -> pss(data, algorithm);
            case ED25519, ED448 -> throw new SignatureException(algorithm.name() + " is not a TPM algorithm: use an EC "
                    + "(P-256/P-384) or RSA TPM key and certificate");
            case UNKNOWN -> {
                if (algorithm == SignAlgorithm.LEGACY) {
                    yield key instanceof TpmEcPrivateKey ? TpmSigner.ecdsa(key, data) : TpmSigner.pkcs1(key, data);
                }
                throw new SignatureException("unknown signature algorithm '" + algorithm.name() + "'");
            }
        };
    }

    private byte[] pss(byte[] data, SignAlgorithm algorithm) throws SignatureException {
        TpmAlg hash = hash(algorithm);
        byte[] digest = input(data, algorithm);
        String salt = algorithm.saltLength() == null ? "digest" : algorithm.saltLength();
        int saltLength;
        if (salt.equals("digest")) {
            saltLength = hash.digestSize();
        } else if (salt.equals("max")) {
            saltLength = TpmSigner.maxPssSaltLength(key, hash);
        } else {
            try {
                saltLength = Integer.parseInt(salt);
            } catch (NumberFormatException e) {
                throw new SignatureException("saltlen=" + salt + " is not digest, max or a number");
            }
            if (saltLength < 0 || saltLength > TpmSigner.maxPssSaltLength(key, hash)) {
                throw new SignatureException("saltlen=" + salt + " does not fit this key and hash");
            }
        }
        return TpmSigner.pss(key, digest, hash, saltLength);
    }

    /** The digest to sign: DATA itself, or its hash with data=message. */
    private static byte[] input(byte[] data, SignAlgorithm algorithm) throws SignatureException {
        if (!algorithm.message()) {
            return data;
        }
        try {
            return MessageDigest.getInstance(hash(algorithm).jcaDigestName()).digest(data);
        } catch (GeneralSecurityException e) {
            throw new SignatureException(e.getMessage(), e);
        }
    }

    private static byte[] digestInfo(byte[] message, SignAlgorithm algorithm) throws SignatureException {
        TpmAlg hash = hash(algorithm);
        AlgorithmIdentifier id = new DefaultDigestAlgorithmIdentifierFinder().find(hash.jcaDigestName());
        try {
            return new DigestInfo(new AlgorithmIdentifier(id.getAlgorithm(), DERNull.INSTANCE), input(message, algorithm))
                    .getEncoded("DER");
        } catch (IOException e) {
            throw new SignatureException("cannot encode a DigestInfo: " + e.getMessage(), e);
        }
    }

    /** hashalg as a TPM hash: OpenSSL names such as SHA256, SHA2-256, SHA-256 and sha256 are all taken. */
    private static TpmAlg hash(SignAlgorithm algorithm) throws SignatureException {
        String name = algorithm.hashName();
        if (name == null) {
            throw new SignatureException(algorithm.name() + " without hashalg: OpenVPN did not say which hash");
        }
        String n = name.toUpperCase(Locale.ROOT).replace("SHA2-", "SHA");
        try {
            TpmAlg hash = TpmAlg.hashByName(n);
            if (hash == TpmAlg.SHA1 || hash == TpmAlg.SHA256 || hash == TpmAlg.SHA384 || hash == TpmAlg.SHA512) {
                return hash;
            }
        } catch (IllegalArgumentException unknown) {
            // reported below
        }
        throw new SignatureException("hashalg=" + name + " is not supported (SHA1, SHA256, SHA384 or SHA512)");
    }
}
