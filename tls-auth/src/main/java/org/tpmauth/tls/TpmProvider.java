package org.tpmauth.tls;

import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.types.TpmAlg;

/**
 * The JCA provider "TPM2": KeyStore type {@code TPM2} (see {@link TpmKeyStoreParameter}) and signatures
 * made inside the TPM — SHA256/384/512withECDSA, NONEwithECDSA, SHA256/384/512withRSA, NONEwithRSA
 * (DigestInfo input), RSASSA-PSS (PSSParameterSpec, salt = hash length) and SHA256/384/512withRSAandMGF1.
 * Signatures accept only {@link TpmPrivateKey}s (the {@code SupportedKeyClasses} attribute says so): it
 * never takes over hashing, verification or software keys.
 */
public final class TpmProvider extends Provider {
    public static final String NAME = "TPM2";
    private static final List<TpmAlg> HASHES = List.of(TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512);

    public TpmProvider() {
        super(NAME, "1.0", "TPM 2.0 keys: KeyStore TPM2 and signatures made inside the TPM");
        putService(new Service(this, "KeyStore", NAME, TpmKeyStoreSpi.class.getName(), null, null) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new TpmKeyStoreSpi();
            }
        });
        for (TpmAlg hash : HASHES) {
            String h = hash.jcaDigestName().replace("-", "");
            signature(h + "withECDSA", List.of(), () -> new TpmSignatureSpi(SigningScheme.ECDSA, hash, false));
            signature(h + "withRSA", List.of(), () -> new TpmSignatureSpi(SigningScheme.PKCS1, hash, false));
            signature(h + "withRSAandMGF1", List.of(h + "withRSA/PSS"),
                    () -> new TpmSignatureSpi(SigningScheme.PSS, hash, false));
        }
        signature("NONEwithECDSA", List.of(), () -> new TpmSignatureSpi(SigningScheme.ECDSA, null, true));
        signature("NONEwithRSA", List.of(), () -> new TpmSignatureSpi(SigningScheme.PKCS1, null, true));
        signature("RSASSA-PSS", List.of("RSAPSS", "PSS"), () -> new TpmSignatureSpi(SigningScheme.PSS, null, false));
    }

    private void signature(String algorithm, List<String> aliases, Supplier<TpmSignatureSpi> factory) {
        putService(new Service(this, "Signature", algorithm, TpmSignatureSpi.class.getName(), aliases,
                Map.of("SupportedKeyClasses", TpmPrivateKey.class.getName())) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return factory.get();
            }
        });
    }

    /**
     * The scheme of the last signature the TPM made in this thread, as a TLS SignatureScheme name
     * ("ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256", "rsa_pss_rsae_sha256"), or null: after a handshake, the scheme of our CertificateVerify.
     */
    public static String lastSignatureScheme() {
        return TpmSignatureSpi.LAST_SCHEME.get();
    }

    /** Forgets {@link #lastSignatureScheme()} of this thread (before a handshake). */
    public static void clearLastSignatureScheme() {
        TpmSignatureSpi.LAST_SCHEME.remove();
    }

    /**
     * Adds the provider (once) at the end of the JVM's list and returns the installed instance. Last is
     * enough: JCA picks a signature provider by the key at initSign, the JDK's providers declare key
     * classes a TPM key does not have, and providers without declarations refuse it; while a provider
     * placed first would be chosen by {@code Signature.getInstance("RSASSA-PSS").setParameter(...)}
     * before any key is known, and then fail software keys (SunJSSE does this at startup).
     *
     * <p>Bouncy Castle's provider is added too when missing: the JDK has no {@code SHA256withRSAandMGF1},
     * and BC-JSSE, seeing that name offered (by TPM2), would use it to verify the peer's PSS signatures,
     * which TPM2 never does.
     */
    public static synchronized Provider install() {
        Provider installed = Security.getProvider(NAME);
        if (installed == null) {
            if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
                Security.addProvider(new BouncyCastleProvider());
            }
            installed = new TpmProvider();
            Security.addProvider(installed);
        }
        return installed;
    }
}
