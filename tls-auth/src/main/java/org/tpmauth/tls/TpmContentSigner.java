package org.tpmauth.tls;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A Bouncy Castle {@link ContentSigner} whose private key is a TPM key: the content is hashed here
 * and the digest signed inside the TPM. Signs CSRs (PKCS#10) and certificates with BC's builders.
 */
public final class TpmContentSigner implements ContentSigner {
    private final TpmKeys keys;
    private final TpmKey key;
    private final TpmAlg hash;
    private final SigningScheme scheme;
    private final AlgorithmIdentifier algorithm;
    private final MessageDigest digest;
    private final OutputStream stream;

    /** ECDSA for EC keys, PKCS#1 v1.5 for RSA keys, with {@code hash}. */
    public TpmContentSigner(TpmKeys keys, TpmKey key, TpmAlg hash) {
        this(keys, key, hash, SigningScheme.defaultFor(key.type()));
    }

    public TpmContentSigner(TpmKeys keys, TpmKey key, TpmAlg hash, SigningScheme scheme) {
        this.keys = keys;
        this.key = key;
        this.hash = hash;
        this.scheme = scheme;
        this.algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(jcaName(hash, scheme));
        try {
            this.digest = MessageDigest.getInstance(hash.jcaDigestName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException(hash + " is not available in this JVM", e);
        }
        this.stream = new OutputStream() {
            @Override
            public void write(int b) {
                digest.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                digest.update(b, off, len);
            }
        };
    }

    /** "SHA256withECDSA", "SHA384withRSA", "SHA256withRSAandMGF1" (PSS, salt = digest length). */
    static String jcaName(TpmAlg hash, SigningScheme scheme) {
        String h = hash.jcaDigestName().replace("-", "");
        return switch (scheme) {
            case ECDSA -> h + "withECDSA";
            case PKCS1 -> h + "withRSA";
            case PSS -> h + "withRSAandMGF1";
        };
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm;
    }

    @Override
    public OutputStream getOutputStream() {
        return stream;
    }

    @Override
    public byte[] getSignature() {
        return keys.sign(key, digest.digest(), hash, scheme);
    }
}
