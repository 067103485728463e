package org.tpmauth.attestation.eventlog;

/** EFI GUIDs: 16 bytes whose first three fields are little-endian, written 8-4-4-4-12 in lower case. */
final class Guid {
    static final String EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
    static final String EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";
    static final String EFI_CERT_X509 = "a5c059a1-94e4-4aa7-87b5-ab155c2bf072";
    static final String EFI_CERT_SHA256 = "c1c41626-504c-4092-aca9-41f936934328";

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Guid() {
    }

    static String read(LeBytes in) {
        LeBytes g = in.slice(16);
        return hex(g.u32(), 8) + "-" + hex(g.u16(), 4) + "-" + hex(g.u16(), 4) + "-" + g.hex(2) + "-" + g.hex(6);
    }

    /** The low {@code digits} hex digits of {@code v}, zero-padded. */
    private static String hex(int v, int digits) {
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--, v >>>= 4) {
            out[i] = DIGITS[v & 0xf];
        }
        return new String(out);
    }
}
