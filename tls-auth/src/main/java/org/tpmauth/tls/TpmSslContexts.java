package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * SSLContexts whose own key is a TPM key: on BC-JSSE (default) or the JDK's SunJSSE, TLS 1.2 and 1.3,
 * trusting only the given CA certificates. Installs the {@link TpmProvider} (first; it touches TPM keys
 * only) so both engines' signature look-ups reach the TPM.
 */
public final class TpmSslContexts {
    /** The TLS implementation. */
    public enum Engine {
        BC_JSSE, SUN_JSSE
    }

    private static final Provider BC_JSSE = new BouncyCastleJsseProvider();

    private TpmSslContexts() {
    }

    /** A context with {@code keyManager} (may be null: no own key) trusting {@code trustAnchors}. */
    public static SSLContext create(Engine engine, KeyManager keyManager, Collection<X509Certificate> trustAnchors)
            throws GeneralSecurityException {
        TpmProvider.install();
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        try {
            anchors.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate ca : trustAnchors) {
            anchors.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory tmf = engine == Engine.BC_JSSE ? TrustManagerFactory.getInstance("PKIX", BC_JSSE)
                : TrustManagerFactory.getInstance("PKIX");
        tmf.init(anchors);
        SSLContext context = engine == Engine.BC_JSSE ? SSLContext.getInstance("TLS", BC_JSSE)
                : SSLContext.getInstance("TLS");
        context.init(keyManager == null ? null : new KeyManager[] {keyManager}, tmf.getTrustManagers(), new SecureRandom());
        return context;
    }

    /** The same, trusting the CA certificates in a PEM file. */
    public static SSLContext create(Engine engine, KeyManager keyManager, Path caFile)
            throws GeneralSecurityException, IOException {
        return create(engine, keyManager, Certificates.read(caFile));
    }
}
