package org.tpmauth.attestation.eventlog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TCG_EfiSpecIDEvent ("Spec ID Event03"): the first event of a crypto-agile log, which says which
 * hash algorithms (by TPM_ALG_ID) each later event carries and each one's digest size.
 */
public record SpecIdEvent(int platformClass, int specVersionMajor, int specVersionMinor, int specErrata,
        int uintnSize, Map<Integer, Integer> digestSizes, byte[] vendorInfo) {
    static final byte[] SIGNATURE = "Spec ID Event03\0".getBytes(StandardCharsets.US_ASCII);

    public SpecIdEvent {
        digestSizes = Collections.unmodifiableMap(new LinkedHashMap<>(digestSizes));
    }

    static boolean matches(byte[] data) {
        return data.length >= SIGNATURE.length && Arrays.equals(data, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length);
    }

    /** Parses the event data; the vendor info must end exactly where the event does. */
    static SpecIdEvent parse(byte[] data) {
        LeBytes in = new LeBytes(data);
        in.bytes(SIGNATURE.length);
        int platformClass = in.u32();
        int minor = in.u8();
        int major = in.u8();
        int errata = in.u8();
        int uintnSize = in.u8();
        int count = in.u32();
        if (count <= 0 || count > 64) {
            throw new IllegalArgumentException("the Spec ID event declares " + Integer.toUnsignedString(count)
                    + " hash algorithms; a log has 1 to 64");
        }
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int alg = in.u16();
            int size = in.u16();
            if (size == 0 || size > 128 || sizes.put(alg, size) != null) {
                throw new IllegalArgumentException(String.format("the Spec ID event's algorithm 0x%04x has digest size"
                        + " %d or appears twice", alg, size));
            }
        }
        byte[] vendor = in.bytes(in.u8());
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("the Spec ID event has " + in.remaining() + " bytes after its vendor info");
        }
        return new SpecIdEvent(platformClass, major, minor, errata, uintnSize, sizes, vendor);
    }
}
