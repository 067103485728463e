package org.tpmauth.attestation.eventlog;

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
        return String.format("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                (b[3] & 0xff) << 24 | (b[2] & 0xff) << 16 | (b[1] & 0xff) << 8 | (b[0] & 0xff),
                (b[5] & 0xff) << 8 | (b[4] & 0xff), (b[7] & 0xff) << 8 | (b[6] & 0xff),
                b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    }
}
