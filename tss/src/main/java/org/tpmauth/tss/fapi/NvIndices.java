package org.tpmauth.tss.fapi;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.wire.TpmWriter;

/** NV indices as {@code tss2_createnv} defines them: handle ranges by path, attributes by type. */
final class NvIndices {
    /** Bytes per TPM2_NV_Read / NV_Write: below every TPM's MAX_NV_BUFFER_SIZE. */
    static final int CHUNK = 512;
    /** IESYSC_NV_RSRC: the resource type in an ESYS_TR serialization. */
    private static final int ESYS_NV_RESOURCE = 2;
    private static final int RANGE_SIZE = 0x1000;
    private static final int HT_NV_INDEX = 0x01;

    /** The first handle of each range FAPI names in /nv/<range>/name (Platform needs the platform hierarchy). */
    private static final Map<String, Integer> RANGES = Map.ofEntries(Map.entry("TPM", 0x01000000),
            Map.entry("Owner", 0x01800000), Map.entry("Endorsement_Certificate", 0x01c00000),
            Map.entry("Platform_Certificate", 0x01c08000), Map.entry("Component_OEM", 0x01c10000),
            Map.entry("TPM_OEM", 0x01c20000), Map.entry("Platform_OEM", 0x01c30000),
            Map.entry("PC-Client", 0x01c40000), Map.entry("Server", 0x01c50000),
            Map.entry("Virtualized_Platform", 0x01c60000), Map.entry("MPWG", 0x01c70000),
            Map.entry("Embedded", 0x01c80000));

    private NvIndices() {
    }

    /** The lowest handle of {@code range} no index uses, as FAPI picks it. */
    static int firstFree(Tpm tpm, String range) {
        Integer base = RANGES.get(range);
        if (base == null) {
            throw new IllegalArgumentException("unknown NV range \"" + range + "\"; tpmauth defines indices in "
                    + new java.util.TreeSet<>(RANGES.keySet()) + " (the owner hierarchy's)");
        }
        Set<Integer> used = new HashSet<>(Capabilities.handles(tpm, HT_NV_INDEX));
        for (int h = base; h < base + RANGE_SIZE; h++) {
            if (!used.contains(h)) {
                return h;
            }
        }
        throw new IllegalStateException("NV range " + range + " is full");
    }

    /**
     * The public area of a new index: AUTHREAD | AUTHWRITE, or POLICYREAD | POLICYWRITE with a policy,
     * with WRITE_STCLEAR | READ_STCLEAR, as FAPI sets them; {@code type} is a comma list of noDa and
     * one of bitfield, counter, pcr.
     */
    static TpmsNvPublic template(int index, TpmAlg nameAlg, String type, int size, byte[] authPolicy) {
        int attributes = TpmaNv.WRITE_STCLEAR | TpmaNv.READ_STCLEAR | (authPolicy.length > 0
                ? TpmaNv.POLICYREAD | TpmaNv.POLICYWRITE : TpmaNv.AUTHREAD | TpmaNv.AUTHWRITE);
        int nt = TpmaNv.NT_ORDINARY;
        int dataSize = size;
        for (String t : (type == null ? "" : type).split(",")) {
            switch (t.trim().toLowerCase(Locale.ROOT)) {
                case "" -> { }
                case "noda" -> attributes |= TpmaNv.NO_DA;
                case "counter" -> {
                    nt = TpmaNv.NT_COUNTER;
                    dataSize = 8;
                }
                case "bitfield" -> {
                    nt = TpmaNv.NT_BITS;
                    dataSize = 8;
                }
                case "pcr" -> {
                    nt = TpmaNv.NT_EXTEND;
                    dataSize = nameAlg.digestSize();
                }
                default -> throw new IllegalArgumentException("unknown NV type \"" + t.trim()
                        + "\"; use a comma list of noDa and one of bitfield, counter, pcr");
            }
        }
        if (dataSize <= 0 || dataSize > 2048) {
            throw new IllegalArgumentException("an ordinary NV index needs a size of 1 to 2048 bytes, not " + dataSize);
        }
        return new TpmsNvPublic(index, nameAlg, TpmaNv.withType(attributes, nt), authPolicy, dataSize);
    }

    /** ESYS_TR serialization of an NV index: handle, TPM2B_NAME, resource type, TPM2B_NV_PUBLIC. */
    static byte[] esysSerialization(TpmsNvPublic nv) {
        return TpmWriter.marshal(out -> {
            out.u32(nv.nvIndex()).sized(nv.name()).u32(ESYS_NV_RESOURCE);
            nv.marshalSized(out);
        });
    }
}
