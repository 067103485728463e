package org.tpmauth.attestation.eventlog;

import java.util.HexFormat;

/** EFI GUIDs: 16 bytes whose first three fields are little-endian, written 8-4-4-4-12 in lower case. */
final class Guid {
    static final String EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
    static final String EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";
    static final String EFI_CERT_X509 = "a5c059a1-94e4-4aa7-87b5-ab155c2bf072";
    static final String EFI_CERT_SHA256 = "c1c41626-504c-4092-aca9-41f936934328";

    private Guid() {
    }

    static String read(LeBytes in) {
        byte[] b = in.bytes(16);
        HexFormat hex = HexFormat.of();
        return hex.formatHex(new byte[] {b[3], b[2], b[1], b[0]}) + "-" + hex.formatHex(new byte[] {b[5], b[4]}) + "-"
                + hex.formatHex(new byte[] {b[7], b[6]}) + "-" + hex.formatHex(b, 8, 10) + "-" + hex.formatHex(b, 10, 16);
    }
}
