package org.tpmauth.tls.bound;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.tpmauth.tls.BouncyCastleKeys;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmPrivateKey;

/**
 * A private key (a {@link TpmPrivateKey}, or a software key) and its certificate chain, leaf first. The
 * signatures go through JCA, so a TPM key signs inside the TPM by the TPM2 provider; a software EC key
 * signs on Bouncy Castle ({@link BoundTls#crypto()}), so it is kept as Bouncy Castle's key object
 * ({@link BouncyCastleKeys#ecSigningKey}).
 */
public record TlsIdentity(PrivateKey key, List<X509Certificate> chain) {
    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs its certificate");
        }
        if (key instanceof TpmPrivateKey tpmKey) {
            Certificates.requireMatch("TLS", tpmKey.publicKey(), chain.get(0));
        }
        key = BouncyCastleKeys.ecSigningKey(key);
    }

    /** EC keys: the JDK's and the TPM's say "EC", Bouncy Castle's "ECDSA"; all are ECKeys. */
    public boolean isEc() {
        return key instanceof ECKey;
    }

    /** The signer for the first of the {@code offered} signature schemes this key can make. */
    public TlsCredentialedSigner signer(TlsContext context, JcaTlsCrypto crypto, Vector<?> offered,
            byte[] certificateRequestContext) throws IOException {
        boolean tls13 = TlsUtils.isTLSv13(context);
        Vector<?> schemes = offered == null ? TlsUtils.getDefaultSupportedSignatureAlgorithms(context) : offered;
        for (Object o : schemes) {
            SignatureAndHashAlgorithm scheme = (SignatureAndHashAlgorithm) o;
            if (fits(scheme, tls13)) {
                return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, key,
                        certificate(crypto, tls13, certificateRequestContext), scheme);
            }
        }
        throw new IOException("the other side accepts no signature scheme that a " + key.getAlgorithm()
                + " key can make");
    }

    /** A server's signer: for the first scheme of the client's signature_algorithms this key can make. */
    public TlsCredentialedSigner serverSigner(TlsContext context, JcaTlsCrypto crypto) throws IOException {
        return signer(context, crypto, context.getSecurityParametersHandshake().getClientSigAlgs(), null);
    }

    private boolean fits(SignatureAndHashAlgorithm scheme, boolean tls13) {
        short sig = scheme.getSignature();
        short hash = scheme.getHash();
        if (isEc()) {
            if (sig != SignatureAlgorithm.ecdsa) {
                return false;
            }
            if (!tls13) {
                return hash == HashAlgorithm.sha256 || hash == HashAlgorithm.sha384 || hash == HashAlgorithm.sha512;
            }
            int bits = ((ECKey) key).getParams().getCurve().getField().getFieldSize();
            return hash == (bits <= 256 ? HashAlgorithm.sha256 : bits <= 384 ? HashAlgorithm.sha384 : HashAlgorithm.sha512);
        }
        boolean pss = sig == SignatureAlgorithm.rsa_pss_rsae_sha256 || sig == SignatureAlgorithm.rsa_pss_rsae_sha384
                || sig == SignatureAlgorithm.rsa_pss_rsae_sha512;
        boolean pkcs1 = sig == SignatureAlgorithm.rsa && (hash == HashAlgorithm.sha256 || hash == HashAlgorithm.sha384
                || hash == HashAlgorithm.sha512);
        return pss || (!tls13 && pkcs1);
    }

    private Certificate certificate(JcaTlsCrypto crypto, boolean tls13, byte[] requestContext) throws IOException {
        TlsCertificate[] certs = new TlsCertificate[chain.size()];
        for (int i = 0; i < certs.length; i++) {
            try {
                certs[i] = crypto.createCertificate(chain.get(i).getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IOException("cannot encode certificate " + chain.get(i).getSubjectX500Principal(), e);
            }
        }
        if (!tls13) {
            return new Certificate(certs);
        }
        CertificateEntry[] entries = new CertificateEntry[certs.length];
        for (int i = 0; i < certs.length; i++) {
            entries[i] = new CertificateEntry(certs[i], null);
        }
        return new Certificate(requestContext == null ? TlsUtils.EMPTY_BYTES : requestContext, entries);
    }
}
