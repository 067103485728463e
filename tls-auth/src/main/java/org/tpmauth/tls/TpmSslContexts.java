package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;

import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * SSLContexts whose own key is a TPM key: on BC-JSSE (default) or the JDK's SunJSSE, TLS 1.2 and 1.3,
 * trusting only the given CA certificates. Installs the {@link TpmProvider} (it touches TPM keys only) so
 * both engines' signature look-ups reach the TPM.
 *
 * <p>BC-JSSE does its crypto on Bouncy Castle's provider (verification, ECDHE, hashing, the peer's chain):
 * its P-256 arithmetic costs the client about a third less CPU per handshake than the JDK's SunEC. A TPM
 * key's signatures still go to TPM2 ({@link TpmKeyRouting}).
 */
public final class TpmSslContexts {
    /** The TLS implementation. */
    public enum Engine {
        BC_JSSE, SUN_JSSE
    }

    /** Holder: BC-JSSE is built once, after {@link TpmProvider#install()} put Bouncy Castle and TPM2 in place. */
    private static final class BcJsse {
        static final Provider PROVIDER = create();

        private static Provider create() {
            return new BouncyCastleJsseProvider(false, new TpmKeyRouting(BouncyCastleKeys.bouncyCastle(), TpmProvider.install()));
        }
    }

    private TpmSslContexts() {
    }

    /** A context with {@code keyManager} (may be null: no own key) trusting {@code trustAnchors}. */
    public static SSLContext create(Engine engine, KeyManager keyManager, Collection<X509Certificate> trustAnchors)
            throws GeneralSecurityException {
        TpmProvider.install();
        KeyStore anchors = empty(KeyStore.getInstance("PKCS12"));
        int i = 0;
        for (X509Certificate ca : trustAnchors) {
            anchors.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = engine == Engine.BC_JSSE ? TrustManagerFactory.getInstance("PKIX", BcJsse.PROVIDER)
                : TrustManagerFactory.getInstance("PKIX");
        tmf.init(anchors);
        SSLContext context = engine == Engine.BC_JSSE ? SSLContext.getInstance("TLS", BcJsse.PROVIDER)
                : SSLContext.getInstance("TLS");
        context.init(keyManager == null ? null : new KeyManager[] {keyManager}, tmf.getTrustManagers(), new SecureRandom());
        return context;
    }

    /** The same, trusting the CA certificates in a PEM file. */
    public static SSLContext create(Engine engine, KeyManager keyManager, Path caFile)
            throws GeneralSecurityException, IOException {
        return create(engine, keyManager, Certificates.read(caFile));
    }

    /**
     * A key manager for a software key and its chain (the key's certificate first) on {@code engine}: for a
     * peer or a comparison without a TPM. The key is re-read from its PKCS#8 encoding by the provider the
     * engine signs with (Bouncy Castle for BC-JSSE, the JDK's for SunJSSE): a foreign key object works too,
     * but is converted again for every signature (Bouncy Castle even recomputes its curve's tables). The
     * engine's own key manager then keeps it in memory: BC-JSSE's "PKIX", SunJSSE's "SunX509" (SunJSSE's
     * "PKIX" decrypts the key from its KeyStore again, PBKDF2 included, for every handshake).
     */
    public static KeyManager softwareKeyManager(Engine engine, PrivateKey key, List<X509Certificate> chain)
            throws GeneralSecurityException {
        // Bouncy Castle's PKCS12 keeps the key object; the JDK's encrypts it and makes a SunEC key of it again
        KeyStore store = empty(KeyStore.getInstance("PKCS12", BouncyCastleKeys.bouncyCastle()));
        PrivateKey own = BouncyCastleKeys.readBy(key, engine == Engine.BC_JSSE ? BouncyCastleKeys.bouncyCastle() : null);
        store.setKeyEntry("key", own, new char[0], chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = engine == Engine.BC_JSSE ? KeyManagerFactory.getInstance("PKIX", BcJsse.PROVIDER)
                : KeyManagerFactory.getInstance("SunX509");
        kmf.init(store, new char[0]);
        return kmf.getKeyManagers()[0];
    }

    private static KeyStore empty(KeyStore store) throws GeneralSecurityException {
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }
}
