package org.tpmauth.tss.types;

import java.util.Optional;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM_ECC_CURVE identifiers, with the JCA / SEC names and coordinate sizes. */
public enum TpmEccCurve {
    NONE(0x0000, null, 0), NIST_P192(0x0001, "secp192r1", 24), NIST_P224(0x0002, "secp224r1", 28),
    NIST_P256(0x0003, "secp256r1", 32), NIST_P384(0x0004, "secp384r1", 48), NIST_P521(0x0005, "secp521r1", 66),
    BN_P256(0x0010, null, 32), BN_P638(0x0011, null, 80), SM2_P256(0x0020, null, 32);

    private final int id;
    private final String stdName;
    private final int coordinateSize;

    TpmEccCurve(int id, String stdName, int coordinateSize) {
        this.id = id;
        this.stdName = stdName;
        this.coordinateSize = coordinateSize;
    }

    public int id() {
        return id;
    }

    /** The curve's standard name for JCA (secp256r1), or null when the JDK has none. */
    public String stdName() {
        return stdName;
    }

    public int coordinateSize() {
        return coordinateSize;
    }

    public static Optional<TpmEccCurve> byId(int id) {
        for (TpmEccCurve c : values()) {
            if (c.id == id) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public static String nameOf(int id) {
        return byId(id).map(Enum::name).orElse(String.format("0x%04x", id));
    }

    public static TpmEccCurve read(TpmReader in) {
        int start = in.position();
        int id = in.u16();
        return byId(id).orElseThrow(() -> new TpmFormatException(in.structure(), start,
                String.format("unknown ECC curve 0x%04x", id)));
    }

    public void marshal(TpmWriter out) {
        out.u16(id);
    }
}
