package org.tpmauth.tss.keys;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;

/**
 * A signing scheme fixed in a key's public area (TPMT_ECC_SCHEME / TPMT_RSA_SCHEME with its hash), by the
 * names tpm2-tools uses: {@code ecdsa-sha256}, {@code rsassa-sha256}, {@code rsapss-sha256}. Such a key signs
 * with that scheme and hash only; programs that send TPM_ALG_NULL as the scheme of TPM2_Sign (strongSwan's
 * tpm plugin) need one. Keys without it leave the scheme to each signature.
 */
public record KeyScheme(SigningScheme scheme, TpmAlg hash) {
    /** The hashes offered for new keys. */
    private static final List<TpmAlg> HASHES = List.of(TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512);
    private static final List<SigningScheme> SCHEMES = List.of(SigningScheme.values());

    public KeyScheme {
        if (hash == TpmAlg.NULL || hash.digestSize() == 0) {
            throw new IllegalArgumentException(hash + " is not a hash algorithm");
        }
    }

    /** Parses {@code ecdsa|rsassa|rsapss} {@code -sha256|-sha384|-sha512}. */
    public static KeyScheme parse(String name) {
        return all().filter(s -> s.toString().equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown key scheme '" + name + "'; use one of "
                        + names()));
    }

    /** All names, for help texts. */
    public static String names() {
        return all().map(KeyScheme::toString).collect(Collectors.joining(", "));
    }

    private static Stream<KeyScheme> all() {
        return SCHEMES.stream().flatMap(s -> HASHES.stream().map(h -> new KeyScheme(s, h)));
    }

    /** The scheme fixed in a key's public area; empty for a NULL scheme (or an object that is no RSA/EC key). */
    public static Optional<KeyScheme> of(TpmtPublic publicArea) {
        TpmtAsymScheme asym;
        if (publicArea.parameters() instanceof TpmuPublicParms.Ecc ecc) {
            asym = ecc.scheme();
        } else if (publicArea.parameters() instanceof TpmuPublicParms.Rsa rsa) {
            asym = rsa.scheme();
        } else {
            return Optional.empty();
        }
        if (asym.scheme() == TpmAlg.NULL) {
            return Optional.empty(); // most keys: every signature checks its key's scheme
        }
        for (SigningScheme s : SCHEMES) { // a loop, not a stream
            if (s.tpmScheme() == asym.scheme()) {
                return Optional.of(new KeyScheme(s, asym.hash()));
            }
        }
        return Optional.empty();
    }

    /** Refuses a scheme that the key type cannot use: ECDSA needs an EC key, RSASSA and RSAPSS an RSA key. */
    public void requireFits(KeyAlgorithm algorithm) {
        if (scheme.isRsa() == algorithm.isEcc()) {
            throw new IllegalArgumentException("scheme " + this + " does not fit a " + algorithm + " key; use "
                    + (algorithm.isEcc() ? "ecdsa-sha256 (or -sha384)" : "rsassa-sha256 or rsapss-sha256"));
        }
    }

    /** The TPMT_ECC_SCHEME / TPMT_RSA_SCHEME for the key's template. */
    public TpmtAsymScheme asymScheme() {
        return TpmtAsymScheme.of(scheme.tpmScheme(), hash);
    }

    @Override
    public String toString() {
        return scheme.tpmScheme().name().toLowerCase() + "-" + hash.name().toLowerCase();
    }
}
