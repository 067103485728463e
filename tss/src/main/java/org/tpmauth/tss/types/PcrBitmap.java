package org.tpmauth.tss.types;

import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * The PCR bitmap of TPMS_PCR_SELECTION and TPMS_TAGGED_PCR_SELECT (sizeofSelect, then pcrSelect):
 * bit i of byte j is PCR 8j+i.
 */
public final class PcrBitmap {
    /** PCR_SELECT_MIN of the PC Client platform: 24 PCRs. */
    public static final int MIN_SIZE = 3;
    /** PCR_SELECT_MAX as a reader accepts it: no TPM has more than 256 PCRs. */
    public static final int MAX_SIZE = 32;

    private PcrBitmap() {
    }

    /** The PCR indices set in {@code bitmap}, ascending. */
    public static SortedSet<Integer> indices(byte[] bitmap) {
        SortedSet<Integer> out = new TreeSet<>();
        for (int i = 0; i < bitmap.length * 8; i++) {
            if ((bitmap[i / 8] & (1 << (i % 8))) != 0) {
                out.add(i);
            }
        }
        return out;
    }

    /** A bitmap of {@code size} bytes with the given PCRs set. */
    public static byte[] of(int size, Collection<Integer> pcrs) {
        checkSize(size);
        byte[] map = new byte[size];
        for (int pcr : pcrs) {
            if (pcr < 0 || pcr >= size * 8) {
                throw new IllegalArgumentException("PCR index " + pcr + " does not fit a " + size + "-byte bitmap");
            }
            map[pcr / 8] |= (byte) (1 << (pcr % 8));
        }
        return map;
    }

    /** Checks that a structure can hold a bitmap of {@code size} bytes. */
    static void checkSize(int size) {
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("a PCR bitmap has at most " + MAX_SIZE + " bytes, not " + size);
        }
    }

    /** Writes sizeofSelect and the bitmap. */
    static void write(TpmWriter out, byte[] bitmap) {
        out.u8(bitmap.length).bytes(bitmap);
    }

    /** Reads sizeofSelect and the bitmap. */
    static byte[] read(TpmReader in) {
        int size = in.u8();
        if (size > MAX_SIZE) {
            throw in.error("sizeofSelect " + size + " is larger than any TPM's PCR count");
        }
        return in.bytes(size);
    }
}
