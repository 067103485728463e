package org.tpmauth.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * A JSSE key manager for TPM keys (BC-JSSE and SunJSSE, client and server side). It picks the key by
 * key type ("EC", "RSA", and TLS 1.2 names such as "ECDHE_ECDSA") and by the issuers the peer accepts
 * (the chain must contain a certificate issued by or equal to one of them). Every key is loaded into
 * the TPM and checked against its certificate when the manager is built, before any handshake.
 */
public final class TpmKeyManager extends X509ExtendedKeyManager {
    /** A key and its chain; which key types fit it is worked out once per type name, not per handshake. */
    private record Identity(TpmPrivateKey key, X509Certificate[] chain, Map<String, Boolean> fits) {
        /** The engines ask with a small fixed set of names; more than this are not remembered. */
        private static final int MAX_REMEMBERED = 64;

        Identity(TpmPrivateKey key, X509Certificate[] chain) {
            this(key, chain, new ConcurrentHashMap<>());
        }

        boolean fits(String keyType) {
            if (keyType == null) {
                return false;
            }
            Boolean known = fits.get(keyType);
            if (known != null) {
                return known;
            }
            boolean fit = typeFits(key, keyType);
            if (fits.size() < MAX_REMEMBERED) {
                fits.put(keyType, fit);
            }
            return fit;
        }

        boolean fitsAny(String[] keyTypes) {
            for (String t : keyTypes) {
                if (fits(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** BC-JSSE's TLS 1.3 key type for an ECDSA scheme bound to a NIST curve. */
    private static final Pattern BC_CURVE = Pattern.compile("EC/SECP(\\d+)R1");

    private final Map<String, Identity> identities;

    private TpmKeyManager(Map<String, Identity> identities) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("no TPM key to offer");
        }
        identities.forEach((alias, id) -> Certificates.requireMatch(alias, id.key().publicKey(), id.chain()[0]));
        this.identities = identities;
    }

    /** One key with its chain (the key's certificate first). */
    public static TpmKeyManager of(String alias, TpmPrivateKey key, List<X509Certificate> chain) {
        Map<String, Identity> ids = new LinkedHashMap<>();
        ids.put(alias, new Identity(key, chain.toArray(new X509Certificate[0])));
        return new TpmKeyManager(ids);
    }

    /**
     * Every key entry of a {@code TPM2} KeyStore, loaded with {@code password} (the keys' authValue).
     *
     * @throws Certificates.KeyMismatchException when a key does not match its certificate
     */
    public static TpmKeyManager of(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        Map<String, Identity> ids = new LinkedHashMap<>();
        for (String alias : Collections.list(keyStore.aliases())) {
            Key key = keyStore.getKey(alias, password);
            if (key instanceof TpmPrivateKey tpmKey) {
                Certificate[] chain = keyStore.getCertificateChain(alias);
                ids.put(alias, new Identity(tpmKey, Arrays.copyOf(chain, chain.length, X509Certificate[].class)));
            }
        }
        return new TpmKeyManager(ids);
    }

    /** The one-call form: a TSS2 key file and its PEM chain, alias "tpm". */
    public static TpmKeyManager fromFiles(TpmKeys keys, Path keyFile, Path chainFile, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(TpmProvider.NAME, TpmProvider.install());
        store.load(new TpmKeyStoreParameter(keys, TpmKeyStoreParameter.keyFile("tpm", keyFile, chainFile)));
        return of(store, password);
    }

    private String choose(String[] keyTypes, Principal[] issuers) {
        if (keyTypes == null) {
            return null;
        }
        for (Map.Entry<String, Identity> e : identities.entrySet()) {
            Identity id = e.getValue();
            if (id.fitsAny(keyTypes) && issuedByOneOf(id.chain(), issuers)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * "EC", "ECDSA", "ECDHE_ECDSA" and BC-JSSE's TLS 1.3 "EC/secp256r1" (curve must match) fit an EC key;
     * "RSA", "ECDHE_RSA" an RSA key ("RSASSA-PSS" means keys with the PSS OID, which TPM keys are not).
     */
    static boolean typeFits(TpmPrivateKey key, String keyType) {
        String t = keyType.toUpperCase(Locale.ROOT);
        t = t.substring(t.lastIndexOf('_') + 1);
        if (!(key instanceof TpmEcPrivateKey ec)) {
            return t.equals("RSA");
        }
        Matcher curve = BC_CURVE.matcher(t);
        if (curve.matches()) {
            return Integer.parseInt(curve.group(1)) == ec.getParams().getCurve().getField().getFieldSize();
        }
        return t.equals("EC") || t.equals("ECDSA");
    }

    private static boolean issuedByOneOf(X509Certificate[] chain, Principal[] issuers) {
        if (issuers == null || issuers.length == 0) {
            return true;
        }
        for (X509Certificate c : chain) {
            for (Principal issuer : issuers) {
                if (sameName(issuer, c.getIssuerX500Principal()) || sameName(issuer, c.getSubjectX500Principal())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameName(Principal a, Principal b) {
        return a.equals(b) || a.getName().equals(b.getName());
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes, issuers);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(new String[] {keyType}, issuers);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(new String[] {keyType}, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity id = identities.get(alias);
        return id == null ? null : id.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity id = identities.get(alias);
        return id == null ? null : id.key();
    }

    private String[] aliases(String keyType, Principal[] issuers) {
        String[] matching = identities.entrySet().stream()
                .filter(e -> e.getValue().fits(keyType)
                        && issuedByOneOf(e.getValue().chain(), issuers))
                .map(Map.Entry::getKey).toArray(String[]::new);
        return matching.length == 0 ? null : matching;
    }
}
