package org.tpmauth.tss.types;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_PCR_SELECTION: one hash bank and a bitmap of PCR indices. */
public record TpmsPcrSelection(TpmAlg hash, byte[] bitmap) implements TpmMarshallable {
    /** Selects the given PCRs of a bank (3-byte bitmap, PCRs 0-23). */
    public static TpmsPcrSelection of(TpmAlg hash, int... pcrs) {
        byte[] map = new byte[3];
        for (int pcr : pcrs) {
            if (pcr < 0 || pcr >= 24) {
                throw new IllegalArgumentException("PCR index " + pcr + " is outside 0-23");
            }
            map[pcr / 8] |= (byte) (1 << (pcr % 8));
        }
        return new TpmsPcrSelection(hash, map);
    }

    /** The selected PCR indices, ascending. */
    public SortedSet<Integer> pcrs() {
        SortedSet<Integer> out = new TreeSet<>();
        for (int i = 0; i < bitmap.length * 8; i++) {
            if ((bitmap[i / 8] & (1 << (i % 8))) != 0) {
                out.add(i);
            }
        }
        return out;
    }

    @Override
    public void marshal(TpmWriter out) {
        hash.marshal(out);
        out.u8(bitmap.length).bytes(bitmap);
    }

    public static TpmsPcrSelection read(TpmReader in) {
        return in.struct("TPMS_PCR_SELECTION", r -> {
            TpmAlg hash = TpmAlg.read(r);
            int size = r.u8();
            if (size > 32) { // PCR_SELECT_MAX: no TPM has more than 256 PCRs
                throw r.error("sizeofSelect " + size + " is larger than any TPM's PCR count");
            }
            return new TpmsPcrSelection(hash, r.bytes(size));
        });
    }

    /** TPML_PCR_SELECTION. */
    public static List<TpmsPcrSelection> readList(TpmReader in) {
        return in.struct("TPML_PCR_SELECTION", r -> r.list(16, TpmsPcrSelection::read));
    }

    public static void writeList(TpmWriter out, List<TpmsPcrSelection> list) {
        out.list(list, (w, s) -> s.marshal(w));
    }

    @Override
    public String toString() {
        return hash.name().toLowerCase() + ":" + new ArrayList<>(pcrs());
    }
}
