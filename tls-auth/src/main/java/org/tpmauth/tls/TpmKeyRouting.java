package org.tpmauth.tls;

import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECKey;
import java.security.spec.AlgorithmParameterSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * Bouncy Castle's TLS crypto with TPM keys signing in TPM2: a {@link JcaTlsCryptoProvider} whose helper
 * hands out, for every signature algorithm TPM2 knows, a signature that picks its provider when it learns
 * the key — TPM2 for a {@link TpmPrivateKey}, a software provider for any other key and for verification.
 * Bouncy Castle's own "alternate provider" does not do this: it is tried only after the first provider
 * threw (an exception per handshake), and not at all for the raw RSA signature of TLS 1.2's PKCS#1
 * CertificateVerify. Two layouts: everything on one software provider (BC-JSSE on Bouncy Castle), or
 * the installed providers with EC signatures on Bouncy Castle ({@link #ecSignaturesOn}).
 */
public final class TpmKeyRouting extends JcaTlsCryptoProvider {
    private final JcaJceHelper helper;

    /** Crypto on {@code software}; TPM keys sign in {@code tpm2}. */
    TpmKeyRouting(Provider software, Provider tpm2) {
        this(software, new Router(tpm2, key -> software, software.getName()), null);
    }

    /**
     * @param software the provider of everything but the routed signatures; null: the installed providers
     * @param xdh      with the installed providers: the provider of X25519 and X448 (key pairs, their
     *                 encoding and the agreement, which must come from one provider); null: the installed ones
     */
    private TpmKeyRouting(Provider software, Router router, Provider xdh) {
        if (software != null) {
            setProvider(software);
        }
        helper = software != null ? new ProviderJcaJceHelper(software) {
            @Override
            public Signature createSignature(String algorithm) throws NoSuchAlgorithmException {
                return router.signature(algorithm, super::createSignature);
            }
        } : new DefaultJcaJceHelper() {
            @Override
            public Signature createSignature(String algorithm) throws NoSuchAlgorithmException {
                return router.signature(algorithm, super::createSignature);
            }

            @Override
            public KeyPairGenerator createKeyPairGenerator(String algorithm) throws NoSuchAlgorithmException {
                return isXdh(algorithm) ? KeyPairGenerator.getInstance(algorithm, xdh)
                        : super.createKeyPairGenerator(algorithm);
            }

            @Override
            public KeyAgreement createKeyAgreement(String algorithm) throws NoSuchAlgorithmException {
                return isXdh(algorithm) ? KeyAgreement.getInstance(algorithm, xdh) : super.createKeyAgreement(algorithm);
            }

            @Override
            public KeyFactory createKeyFactory(String algorithm) throws NoSuchAlgorithmException {
                return isXdh(algorithm) ? KeyFactory.getInstance(algorithm, xdh) : super.createKeyFactory(algorithm);
            }

            private boolean isXdh(String algorithm) {
                return xdh != null && (algorithm.equalsIgnoreCase("X25519") || algorithm.equalsIgnoreCase("X448"));
            }
        };
    }

    /**
     * Crypto on the installed providers — the JDK's AES-GCM (on the processor's AES and carry-less multiply
     * instructions), hashes and NIST-curve key agreement — with the signatures of EC keys and their
     * verification on {@code ec} (Bouncy Castle's P-256 ECDSA verifies about 4x and signs about 2x faster than
     * JDK 17's SunEC), X25519 and X448 on {@code ec} too (JDK 17's XDH takes about 3x Bouncy Castle's time
     * for a TLS 1.3 key share), and TPM keys signing in {@code tpm2}.
     */
    public static JcaTlsCryptoProvider ecSignaturesOn(Provider ec, Provider tpm2) {
        return new TpmKeyRouting(null, new Router(tpm2, key -> key instanceof ECKey ? ec : null,
                ec.getName() + " for EC keys, the installed providers for others"), ec);
    }

    @Override
    public JcaJceHelper getHelper() {
        return helper;
    }

    /**
     * A provider (never installed) with TPM2's signature algorithms and aliases, each a
     * {@link RoutedSignature}.
     */
    private static final class Router extends Provider {
        private final transient Provider tpm2;
        private final transient Map<String, Service> services = new HashMap<>();

        /** @param software the provider for a key that is not a TPM key (null: the installed providers' choice) */
        Router(Provider tpm2, Function<Key, Provider> software, String softwareName) {
            super("TPM2-routing", "1.0", "TPM keys to " + tpm2.getName() + ", other keys to " + softwareName);
            this.tpm2 = tpm2;
            for (Service s : tpm2.getServices()) {
                if (s.getType().equals("Signature")) {
                    String algorithm = s.getAlgorithm();
                    services.put(algorithm, new Service(this, "Signature", algorithm, RoutedSignature.class.getName(),
                            null, null) {
                        @Override
                        public Object newInstance(Object constructorParameter) {
                            return new RoutedSignature(algorithm, software, tpm2);
                        }
                    });
                }
            }
        }

        /** TPM2 resolves the name (aliases, case) to one of its algorithms. */
        @Override
        public Service getService(String type, String algorithm) {
            Service s = tpm2.getService(type, algorithm);
            return s == null ? null : services.get(s.getAlgorithm());
        }

        /** A routed signature of {@code algorithm}; where TPM2 does not know it, the helper's own. */
        Signature signature(String algorithm, SignatureSource fallback) throws NoSuchAlgorithmException {
            return getService("Signature", algorithm) != null ? Signature.getInstance(algorithm, this)
                    : fallback.createSignature(algorithm);
        }
    }

    /** A helper's own {@code createSignature}. */
    @FunctionalInterface
    private interface SignatureSource {
        Signature createSignature(String algorithm) throws NoSuchAlgorithmException;
    }

    /** Becomes the software provider's or TPM2's signature at initSign / initVerify. */
    private static final class RoutedSignature extends NamedParameterlessSignatureSpi {
        private final String algorithm;
        private final Function<Key, Provider> software;
        private final Provider tpm2;
        /** Parameters set before the key was known (BC-JSSE sets PSS parameters first). */
        private AlgorithmParameterSpec parameters;
        private Signature delegate;

        RoutedSignature(String algorithm, Function<Key, Provider> software, Provider tpm2) {
            this.algorithm = algorithm;
            this.software = software;
            this.tpm2 = tpm2;
        }

        @Override
        protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
            engineInitSign(key, null);
        }

        @Override
        protected void engineInitSign(PrivateKey key, SecureRandom random) throws InvalidKeyException {
            Signature s = choose(key instanceof TpmPrivateKey ? tpm2 : software.apply(key));
            if (random == null) {
                s.initSign(key);
            } else {
                s.initSign(key, random);
            }
        }

        @Override
        protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
            choose(software.apply(key)).initVerify(key);
        }

        /** {@code provider}'s signature (null: the installed providers'), with the parameters set so far. */
        private Signature choose(Provider provider) throws InvalidKeyException {
            try {
                Signature s = provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
                if (parameters != null) {
                    s.setParameter(parameters);
                }
                delegate = s;
                return s;
            } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
                throw new InvalidKeyException((provider == null ? "no installed provider" : provider.getName())
                        + " cannot do " + algorithm + ": " + e.getMessage(), e);
            }
        }

        @Override
        protected void engineSetParameter(AlgorithmParameterSpec params) throws InvalidAlgorithmParameterException {
            if (delegate != null) {
                delegate.setParameter(params);
            }
            parameters = params;
        }

        @Override
        protected AlgorithmParameters engineGetParameters() {
            return delegate == null ? null : delegate.getParameters();
        }

        @Override
        protected void engineUpdate(byte b) throws SignatureException {
            initialized().update(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
            initialized().update(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            return initialized().sign();
        }

        @Override
        protected boolean engineVerify(byte[] signature) throws SignatureException {
            return initialized().verify(signature);
        }

        private Signature initialized() throws SignatureException {
            if (delegate == null) {
                throw new SignatureException("not initialized");
            }
            return delegate;
        }
    }
}
