package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_CLOCK_INFO: the TPM's clock (milliseconds), its reset and restart counts, and whether the clock
 * value is safe (has not gone back since it was last reported).
 */
public record TpmsClockInfo(long clock, int resetCount, int restartCount, boolean safe) implements TpmMarshallable {
    @Override
    public void marshal(TpmWriter out) {
        out.u64(clock).u32(resetCount).u32(restartCount).bool(safe);
    }

    public static TpmsClockInfo read(TpmReader in) {
        return in.struct("TPMS_CLOCK_INFO", r -> new TpmsClockInfo(r.u64(), r.u32(), r.u32(), r.bool()));
    }
}
