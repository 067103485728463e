package org.tpmauth.tss.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.types.TpmCap;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmaCc;
import org.tpmauth.tss.types.TpmsAlgProperty;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsTaggedPcrSelect;
import org.tpmauth.tss.types.TpmsTaggedProperty;
import org.tpmauth.tss.types.TpmuCapabilities;

/**
 * Reads whole TPM_CAP groups with TPM2_GetCapability: the TPM returns one buffer's worth per call
 * and says whether more follows, so each method asks again from just after the last entry.
 */
public final class Capabilities {
    /** Asks for as many entries as one answer can carry; the TPM trims the count itself. */
    private static final int ASK_ALL = 0x7fffffff;

    private Capabilities() {
    }

    /** Every TPM property, fixed (TPM_PT_FIXED ...) and variable (TPM_PT_VAR ...), by TPM_PT. */
    public static SortedMap<Integer, Integer> properties(Tpm tpm) {
        SortedMap<Integer, Integer> out = new TreeMap<>();
        // a TPM reports moreData only within one group (swtpm does), so each group is read on its own
        for (int group : new int[] {TpmPt.PT_FIXED, TpmPt.PT_VAR}) {
            for (TpmsTaggedProperty p : readAll(tpm, TpmCap.TPM_PROPERTIES, group,
                    TpmuCapabilities.TpmProperties.class, TpmuCapabilities.TpmProperties::properties,
                    TpmsTaggedProperty::property)) {
                out.put(p.property(), p.value());
            }
        }
        return out;
    }

    /** One TPM property, or empty when the TPM does not report it. */
    public static OptionalInt property(Tpm tpm, int property) {
        Integer value = properties(tpm, property, property).get(property);
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }

    /**
     * The TPM properties {@code first} to {@code last} (inclusive) that the TPM reports, in one command: one
     * round trip for neighbours such as TPM_PT_HR_TRANSIENT_MIN and TPM_PT_HR_LOADED_MIN instead of one each.
     */
    public static SortedMap<Integer, Integer> properties(Tpm tpm, int first, int last) {
        GetCapability.Response r = tpm.execute(new GetCapability(TpmCap.TPM_PROPERTIES, first, last - first + 1));
        SortedMap<Integer, Integer> out = new TreeMap<>();
        for (TpmsTaggedProperty p : member(r, TpmuCapabilities.TpmProperties.class).properties()) {
            if (Integer.compareUnsigned(p.property(), first) >= 0 && Integer.compareUnsigned(p.property(), last) <= 0) {
                out.put(p.property(), p.value());
            }
        }
        return out;
    }

    /** The implemented algorithms. */
    public static List<TpmsAlgProperty> algorithms(Tpm tpm) {
        return readAll(tpm, TpmCap.ALGS, 0, TpmuCapabilities.Algs.class, TpmuCapabilities.Algs::algProperties,
                TpmsAlgProperty::alg);
    }

    /** The implemented commands as TPMA_CC values ({@link TpmaCc#commandCode} gives each TPM_CC). */
    public static List<Integer> commands(Tpm tpm) {
        return readAll(tpm, TpmCap.COMMANDS, 0, TpmuCapabilities.Commands.class,
                TpmuCapabilities.Commands::commandAttributes, TpmaCc::commandCode);
    }

    /**
     * The handles of one type in use: {@code handleType} is a TPM_HT value (e.g.
     * {@link org.tpmauth.tss.types.TpmHandles#HT_PERSISTENT}).
     */
    public static List<Integer> handles(Tpm tpm, int handleType) {
        return readAll(tpm, TpmCap.HANDLES, handleType << 24, TpmuCapabilities.Handles.class,
                TpmuCapabilities.Handles::handles, h -> h);
    }

    /** The allocated PCR banks and their PCRs. */
    public static List<TpmsPcrSelection> pcrBanks(Tpm tpm) {
        // TPM_CAP_PCRS has no start property: the whole allocation comes in one answer
        return member(tpm.execute(new GetCapability(TpmCap.PCRS, 0, ASK_ALL)), TpmuCapabilities.Pcrs.class).banks();
    }

    /** The PCR properties (TPM_PT_PCR) and the PCRs that have each. */
    public static List<TpmsTaggedPcrSelect> pcrProperties(Tpm tpm) {
        return readAll(tpm, TpmCap.PCR_PROPERTIES, 0, TpmuCapabilities.PcrProperties.class,
                TpmuCapabilities.PcrProperties::pcrProperties, TpmsTaggedPcrSelect::tag);
    }

    /** The implemented ECC curves as TPM_ECC_CURVE ids. */
    public static List<Integer> eccCurves(Tpm tpm) {
        return readAll(tpm, TpmCap.ECC_CURVES, 0, TpmuCapabilities.EccCurves.class,
                TpmuCapabilities.EccCurves::curves, c -> c);
    }

    private static <M extends TpmuCapabilities, T> List<T> readAll(Tpm tpm, int capability, int first,
            Class<M> member, Function<M, List<T>> entries, ToIntFunction<T> key) {
        return readAll(tpm, capability, first, member, entries, key, ASK_ALL);
    }

    /**
     * Asks for {@code capability} from {@code first}, {@code pageSize} entries at a time, until the
     * TPM reports no more data, continuing each time from the key of the last entry plus one.
     */
    static <M extends TpmuCapabilities, T> List<T> readAll(Tpm tpm, int capability, int first, Class<M> member,
            Function<M, List<T>> entries, ToIntFunction<T> key, int pageSize) {
        List<T> out = new ArrayList<>();
        int property = first;
        while (true) {
            GetCapability.Response r = tpm.execute(new GetCapability(capability, property, pageSize));
            List<T> got = entries.apply(member(r, member));
            out.addAll(got);
            if (!r.moreData() || got.isEmpty()) {
                return out;
            }
            int next = key.applyAsInt(got.get(got.size() - 1)) + 1;
            if (Integer.compareUnsigned(next, property) <= 0) {
                throw new TpmException(TpmCap.nameOf(capability) + ": the TPM reported more data but went no further"
                        + " than " + Integer.toHexString(property));
            }
            property = next;
        }
    }

    private static <M extends TpmuCapabilities> M member(GetCapability.Response r, Class<M> member) {
        TpmuCapabilities data = r.capabilityData().data();
        if (!member.isInstance(data)) {
            throw new TpmException("asked for " + member.getSimpleName() + " but the TPM answered "
                    + TpmCap.nameOf(data.capability()));
        }
        return member.cast(data);
    }
}
