package org.tpmauth.tss.types;

import java.security.spec.ECPoint;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_ECC_POINT: the affine coordinates of an ECC point as unsigned big-endian TPM2B_ECC_PARAMETERs.
 * Wrapped in a size it is TPM2B_ECC_POINT ({@link #readSized}, {@link #marshalSized}).
 */
public record TpmsEccPoint(byte[] x, byte[] y) implements TpmMarshallable {
    public static final TpmsEccPoint EMPTY = new TpmsEccPoint(new byte[0], new byte[0]);

    /** A JCA point with both coordinates padded to the curve's coordinate size, as TPMs write them. */
    public static TpmsEccPoint of(ECPoint point, TpmEccCurve curve) {
        if (point.equals(ECPoint.POINT_INFINITY)) {
            throw new IllegalArgumentException("the point at infinity has no affine coordinates");
        }
        int size = curve.coordinateSize();
        return new TpmsEccPoint(Unsigned.toBytes(point.getAffineX(), size), Unsigned.toBytes(point.getAffineY(), size));
    }

    public ECPoint toEcPoint() {
        return new ECPoint(Unsigned.toBigInteger(x), Unsigned.toBigInteger(y));
    }

    @Override
    public void marshal(TpmWriter out) {
        out.sized(x).sized(y);
    }

    /** TPM2B_ECC_POINT. */
    public void marshalSized(TpmWriter out) {
        out.sizedStruct(this::marshal);
    }

    public static TpmsEccPoint read(TpmReader in) {
        return in.struct("TPMS_ECC_POINT",
                r -> new TpmsEccPoint(r.sized(Tpm2bLimits.ECC_PARAMETER), r.sized(Tpm2bLimits.ECC_PARAMETER)));
    }

    /** TPM2B_ECC_POINT. */
    public static TpmsEccPoint readSized(TpmReader in) {
        return in.sizedStruct("TPM2B_ECC_POINT", TpmsEccPoint::read);
    }
}
