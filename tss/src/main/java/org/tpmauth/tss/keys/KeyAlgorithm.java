package org.tpmauth.tss.keys;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;

/** The signing key types tpmauth creates, by the names users type ({@code ec-p256}, {@code rsa-2048}). */
public enum KeyAlgorithm {
    EC_P256("ec-p256", TpmEccCurve.NIST_P256, 0, TpmAlg.SHA256),
    EC_P384("ec-p384", TpmEccCurve.NIST_P384, 0, TpmAlg.SHA384),
    RSA_2048("rsa-2048", null, 2048, TpmAlg.SHA256),
    RSA_3072("rsa-3072", null, 3072, TpmAlg.SHA384);

    private final String cliName;
    private final TpmEccCurve curve;
    private final int rsaBits;
    private final TpmAlg defaultHash;

    KeyAlgorithm(String cliName, TpmEccCurve curve, int rsaBits, TpmAlg defaultHash) {
        this.cliName = cliName;
        this.curve = curve;
        this.rsaBits = rsaBits;
        this.defaultHash = defaultHash;
    }

    public String cliName() {
        return cliName;
    }

    public boolean isEcc() {
        return curve != null;
    }

    /** The curve of an EC key type. */
    public TpmEccCurve curve() {
        return curve;
    }

    /** The modulus size of an RSA key type. */
    public int rsaBits() {
        return rsaBits;
    }

    /** The hash that matches the key's strength (SHA-384 for P-384 and RSA-3072). */
    public TpmAlg defaultHash() {
        return defaultHash;
    }

    /** Parses {@code ec-p256 | ec-p384 | rsa-2048 | rsa-3072}. */
    public static KeyAlgorithm parse(String name) {
        return Arrays.stream(values()).filter(a -> a.cliName.equalsIgnoreCase(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown key type '" + name + "'; use one of "
                        + names()));
    }

    /** All names, for help texts: "ec-p256, ec-p384, rsa-2048, rsa-3072". */
    public static String names() {
        return Arrays.stream(values()).map(KeyAlgorithm::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
