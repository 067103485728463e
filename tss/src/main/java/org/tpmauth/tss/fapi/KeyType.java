package org.tpmauth.tss.fapi;

import java.util.Locale;
import org.tpmauth.tss.types.TpmaObject;

/**
 * The key types of {@code tss2_createkey --type}: a comma list of sign, decrypt, restrict(ed), noDa
 * and exportable. An empty list is a signing and decryption key, as in FAPI.
 *
 * @param sign       may sign
 * @param decrypt    may decrypt
 * @param restricted a restricted key (a storage parent or attestation key)
 * @param noDa       exempt from dictionary-attack protection
 * @param exportable may be duplicated to another parent (no fixedTPM, fixedParent): its policy decides where
 */
public record KeyType(boolean sign, boolean decrypt, boolean restricted, boolean noDa, boolean exportable) {
    public static final KeyType SIGN = new KeyType(true, false, false, false, false);

    /** Parses FAPI's type string, e.g. "sign,noDa". */
    public static KeyType parse(String types) {
        boolean sign = false;
        boolean decrypt = false;
        boolean restricted = false;
        boolean noDa = false;
        boolean exportable = false;
        for (String t : types.split(",")) {
            switch (t.trim().toLowerCase(Locale.ROOT)) {
                case "" -> { }
                case "sign" -> sign = true;
                case "decrypt" -> decrypt = true;
                case "restricted", "restrict" -> restricted = true;
                case "noda" -> noDa = true;
                case "exportable" -> exportable = true;
                default -> throw new IllegalArgumentException("unknown key type \"" + t.trim()
                        + "\"; use a comma list of sign, decrypt, restricted, noDa, exportable");
            }
        }
        if (!sign && !decrypt) {
            sign = true;
            decrypt = !restricted;
        }
        return new KeyType(sign, decrypt, restricted, noDa, exportable);
    }

    int attributes() {
        return (exportable ? 0 : TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT)
                | (sign ? TpmaObject.SIGN_ENCRYPT : 0) | (decrypt ? TpmaObject.DECRYPT : 0)
                | (restricted ? TpmaObject.RESTRICTED : 0) | (noDa ? TpmaObject.NO_DA : 0);
    }
}
