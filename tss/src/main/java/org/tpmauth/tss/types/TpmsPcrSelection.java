package org.tpmauth.tss.types;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_PCR_SELECTION: one hash bank and a bitmap of PCR indices ({@link PcrBitmap}). */
public record TpmsPcrSelection(TpmAlg hash, byte[] bitmap) implements TpmMarshallable {
    public TpmsPcrSelection {
        PcrBitmap.checkSize(bitmap.length);
    }

    /** Selects the given PCRs of a bank (3-byte bitmap, PCRs 0-23). */
    public static TpmsPcrSelection of(TpmAlg hash, int... pcrs) {
        return new TpmsPcrSelection(hash, PcrBitmap.of(PcrBitmap.MIN_SIZE, Arrays.stream(pcrs).boxed().toList()));
    }

    /** The selected PCR indices, ascending. */
    public SortedSet<Integer> pcrs() {
        return PcrBitmap.indices(bitmap);
    }

    @Override
    public void marshal(TpmWriter out) {
        hash.marshal(out);
        PcrBitmap.write(out, bitmap);
    }

    public static TpmsPcrSelection read(TpmReader in) {
        return in.struct("TPMS_PCR_SELECTION", r -> new TpmsPcrSelection(TpmAlg.read(r), PcrBitmap.read(r)));
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
