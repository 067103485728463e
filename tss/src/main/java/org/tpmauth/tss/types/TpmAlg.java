package org.tpmauth.tss.types;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM_ALG_ID: algorithm identifiers (TPM 2.0 Part 2, table "TPM_ALG_ID", and the TCG algorithm registry). */
public enum TpmAlg {
    ERROR(0x0000), RSA(0x0001), TDES(0x0003), SHA1(0x0004), HMAC(0x0005), AES(0x0006), MGF1(0x0007),
    KEYEDHASH(0x0008), XOR(0x000A), SHA256(0x000B), SHA384(0x000C), SHA512(0x000D), NULL(0x0010),
    SM3_256(0x0012), SM4(0x0013), RSASSA(0x0014), RSAES(0x0015), RSAPSS(0x0016), OAEP(0x0017),
    ECDSA(0x0018), ECDH(0x0019), ECDAA(0x001A), SM2(0x001B), ECSCHNORR(0x001C), ECMQV(0x001D),
    KDF1_SP800_56A(0x0020), KDF2(0x0021), KDF1_SP800_108(0x0022), ECC(0x0023), SYMCIPHER(0x0025),
    CAMELLIA(0x0026), SHA3_256(0x0027), SHA3_384(0x0028), SHA3_512(0x0029), CMAC(0x003F), CTR(0x0040),
    OFB(0x0041), CBC(0x0042), CFB(0x0043), ECB(0x0044);

    private static final Map<Integer, TpmAlg> BY_ID = new HashMap<>();

    static {
        for (TpmAlg a : values()) {
            BY_ID.put(a.id, a);
        }
    }

    private final int id;

    TpmAlg(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static Optional<TpmAlg> byId(int id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** Human name for any id, known or not ("sha256", "0x1234"). */
    public static String nameOf(int id) {
        return byId(id).map(a -> a.name().toLowerCase()).orElse(String.format("0x%04x", id));
    }

    public static TpmAlg read(TpmReader in) {
        int start = in.position();
        int id = in.u16();
        TpmAlg alg = BY_ID.get(id);
        if (alg == null) {
            throw new org.tpmauth.tss.wire.TpmFormatException(in.structure(), start,
                    String.format("unknown algorithm id 0x%04x", id));
        }
        return alg;
    }

    public void marshal(TpmWriter out) {
        out.u16(id);
    }

    /** Digest size in bytes for a hash algorithm, 0 for the NULL algorithm. */
    public int digestSize() {
        return switch (this) {
            case SHA1 -> 20;
            case SHA256, SM3_256, SHA3_256 -> 32;
            case SHA384, SHA3_384 -> 48;
            case SHA512, SHA3_512 -> 64;
            case NULL -> 0;
            default -> throw new IllegalArgumentException(this + " is not a hash algorithm");
        };
    }

    public boolean isHash() {
        return switch (this) {
            case SHA1, SHA256, SHA384, SHA512, SM3_256, SHA3_256, SHA3_384, SHA3_512 -> true;
            default -> false;
        };
    }

    /** The JCA name of a hash algorithm ("SHA-256"). */
    public String jcaDigestName() {
        return switch (this) {
            case SHA1 -> "SHA-1";
            case SHA256 -> "SHA-256";
            case SHA384 -> "SHA-384";
            case SHA512 -> "SHA-512";
            case SHA3_256 -> "SHA3-256";
            case SHA3_384 -> "SHA3-384";
            case SHA3_512 -> "SHA3-512";
            case SM3_256 -> "SM3";
            default -> throw new IllegalArgumentException(this + " is not a hash algorithm");
        };
    }

    /** Looks up a hash by the names users type: sha1, sha256, SHA-384 ... */
    public static TpmAlg hashByName(String name) {
        String n = name.toLowerCase().replace("-", "").replace("_", "");
        return switch (n) {
            case "sha1" -> SHA1;
            case "sha256" -> SHA256;
            case "sha384" -> SHA384;
            case "sha512" -> SHA512;
            case "sm3256", "sm3" -> SM3_256;
            case "sha3256" -> SHA3_256;
            case "sha3384" -> SHA3_384;
            case "sha3512" -> SHA3_512;
            default -> throw new IllegalArgumentException("unknown hash algorithm '" + name
                    + "'; use sha1, sha256, sha384 or sha512");
        };
    }
}
