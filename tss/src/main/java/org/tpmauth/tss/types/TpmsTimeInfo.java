package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_TIME_INFO: milliseconds since the last TPM_Init, and the clock information. */
public record TpmsTimeInfo(long time, TpmsClockInfo clockInfo) implements TpmMarshallable {
    @Override
    public void marshal(TpmWriter out) {
        out.u64(time);
        clockInfo.marshal(out);
    }

    public static TpmsTimeInfo read(TpmReader in) {
        return in.struct("TPMS_TIME_INFO", r -> new TpmsTimeInfo(r.u64(), TpmsClockInfo.read(r)));
    }
}
