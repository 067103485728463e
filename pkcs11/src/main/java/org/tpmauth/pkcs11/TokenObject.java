package org.tpmauth.pkcs11;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One object of the token: a private key, public key or certificate of a keystore alias, with its
 * attributes. Attributes in {@link #SENSITIVE} exist for a private key but are never revealed.
 */
record TokenObject(long handle, String alias, long objectClass, Map<Long, Attribute> attributes) {
    /** The private parts of an RSA or EC key: CKR_ATTRIBUTE_SENSITIVE, never a value. */
    static final Set<Long> SENSITIVE = Set.of(Pkcs11.CKA_VALUE, Pkcs11.CKA_PRIVATE_EXPONENT, Pkcs11.CKA_PRIME_1,
            Pkcs11.CKA_PRIME_2, Pkcs11.CKA_EXPONENT_1, Pkcs11.CKA_EXPONENT_2, Pkcs11.CKA_COEFFICIENT);

    TokenObject(long handle, String alias, List<Attribute> attributes) {
        this(handle, alias, classOf(attributes), byType(attributes));
    }

    private static long classOf(List<Attribute> attributes) {
        return attributes.stream().filter(a -> a.type() == Pkcs11.CKA_CLASS)
                .map(a -> ((Attribute.UlongValue) a.value()).value()).findFirst().orElseThrow();
    }

    private static Map<Long, Attribute> byType(List<Attribute> attributes) {
        Map<Long, Attribute> map = new LinkedHashMap<>();
        for (Attribute a : attributes) {
            map.put(a.type(), a);
        }
        return Map.copyOf(map);
    }

    boolean isPrivateKey() {
        return objectClass == Pkcs11.CKO_PRIVATE_KEY;
    }

    /** Whether the private-key object hides what a query for {@code type} would reveal. */
    boolean isSensitive(long type) {
        return isPrivateKey() && SENSITIVE.contains(type);
    }

    /** Every template attribute is present here with the same value (PKCS#11's C_FindObjectsInit rule). */
    boolean matches(List<Attribute> template) {
        for (Attribute wanted : template) {
            Attribute have = attributes.get(wanted.type());
            if (have == null || !wanted.sameValue(have)) {
                return false;
            }
        }
        return true;
    }
}
