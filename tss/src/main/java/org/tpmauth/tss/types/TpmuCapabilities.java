package org.tpmauth.tss.types;

import java.util.List;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMU_CAPABILITIES: the list TPM2_GetCapability returns, one member per TPM_CAP selector. Counts
 * are bounded as Part 2 bounds them for MAX_CAP_BUFFER = 1024 (MAX_CAP_DATA / sizeof(element), with
 * the reference implementation's sizes), which is also what tpm2-tss enforces.
 */
public sealed interface TpmuCapabilities extends TpmMarshallable {
    int MAX_CAP_ALGS = 127;
    int MAX_CAP_HANDLES = 254;
    int MAX_CAP_CC = 254;
    int MAX_TPM_PROPERTIES = 127;
    int MAX_PCR_PROPERTIES = 84;
    int MAX_ECC_CURVES = 508;
    int MAX_TAGGED_POLICIES = 14;
    int MAX_ACT_DATA = 84;

    /** The TPM_CAP selector of this member. */
    int capability();

    /** TPML_ALG_PROPERTY (TPM_CAP_ALGS). */
    record Algs(List<TpmsAlgProperty> algProperties) implements TpmuCapabilities {
        public Algs {
            algProperties = bounded(algProperties, MAX_CAP_ALGS);
        }

        @Override
        public int capability() {
            return TpmCap.ALGS;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(algProperties, (w, a) -> a.marshal(w));
        }
    }

    /** TPML_HANDLE (TPM_CAP_HANDLES). */
    record Handles(List<Integer> handles) implements TpmuCapabilities {
        public Handles {
            handles = bounded(handles, MAX_CAP_HANDLES);
        }

        @Override
        public int capability() {
            return TpmCap.HANDLES;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(handles, TpmWriter::u32);
        }
    }

    /** TPML_CCA (TPM_CAP_COMMANDS): one TPMA_CC per implemented command; see {@link TpmaCc}. */
    record Commands(List<Integer> commandAttributes) implements TpmuCapabilities {
        public Commands {
            commandAttributes = bounded(commandAttributes, MAX_CAP_CC);
        }

        @Override
        public int capability() {
            return TpmCap.COMMANDS;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(commandAttributes, TpmWriter::u32);
        }
    }

    /** TPML_CC (TPM_CAP_PP_COMMANDS): the commands that need physical presence. */
    record PpCommands(List<Integer> commandCodes) implements TpmuCapabilities {
        public PpCommands {
            commandCodes = bounded(commandCodes, MAX_CAP_CC);
        }

        @Override
        public int capability() {
            return TpmCap.PP_COMMANDS;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(commandCodes, TpmWriter::u32);
        }
    }

    /** TPML_CC (TPM_CAP_AUDIT_COMMANDS): the commands being audited. */
    record AuditCommands(List<Integer> commandCodes) implements TpmuCapabilities {
        public AuditCommands {
            commandCodes = bounded(commandCodes, MAX_CAP_CC);
        }

        @Override
        public int capability() {
            return TpmCap.AUDIT_COMMANDS;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(commandCodes, TpmWriter::u32);
        }
    }

    /** TPML_PCR_SELECTION (TPM_CAP_PCRS): the allocated PCR banks. */
    record Pcrs(List<TpmsPcrSelection> banks) implements TpmuCapabilities {
        public Pcrs {
            banks = List.copyOf(banks);
        }

        @Override
        public int capability() {
            return TpmCap.PCRS;
        }

        @Override
        public void marshal(TpmWriter out) {
            TpmsPcrSelection.writeList(out, banks);
        }
    }

    /** TPML_TAGGED_TPM_PROPERTY (TPM_CAP_TPM_PROPERTIES). */
    record TpmProperties(List<TpmsTaggedProperty> properties) implements TpmuCapabilities {
        public TpmProperties {
            properties = bounded(properties, MAX_TPM_PROPERTIES);
        }

        @Override
        public int capability() {
            return TpmCap.TPM_PROPERTIES;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(properties, (w, p) -> p.marshal(w));
        }
    }

    /** TPML_TAGGED_PCR_PROPERTY (TPM_CAP_PCR_PROPERTIES). */
    record PcrProperties(List<TpmsTaggedPcrSelect> pcrProperties) implements TpmuCapabilities {
        public PcrProperties {
            pcrProperties = bounded(pcrProperties, MAX_PCR_PROPERTIES);
        }

        @Override
        public int capability() {
            return TpmCap.PCR_PROPERTIES;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(pcrProperties, (w, p) -> p.marshal(w));
        }
    }

    /**
     * TPML_ECC_CURVE (TPM_CAP_ECC_CURVES): curve ids as numbers, since a TPM may implement curves
     * this library does not know ({@link TpmEccCurve#byId} maps the known ones).
     */
    record EccCurves(List<Integer> curves) implements TpmuCapabilities {
        public EccCurves {
            curves = bounded(curves, MAX_ECC_CURVES);
        }

        @Override
        public int capability() {
            return TpmCap.ECC_CURVES;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(curves, TpmWriter::u16);
        }
    }

    /** TPML_TAGGED_POLICY (TPM_CAP_AUTH_POLICIES). */
    record AuthPolicies(List<TpmsTaggedPolicy> policies) implements TpmuCapabilities {
        public AuthPolicies {
            policies = bounded(policies, MAX_TAGGED_POLICIES);
        }

        @Override
        public int capability() {
            return TpmCap.AUTH_POLICIES;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(policies, (w, p) -> p.marshal(w));
        }
    }

    /** TPML_ACT_DATA (TPM_CAP_ACT). */
    record Act(List<TpmsActData> actData) implements TpmuCapabilities {
        public Act {
            actData = bounded(actData, MAX_ACT_DATA);
        }

        @Override
        public int capability() {
            return TpmCap.ACT;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.list(actData, (w, a) -> a.marshal(w));
        }
    }

    /** Reads the member that {@code capability} selects. */
    static TpmuCapabilities read(TpmReader in, int capability) {
        int start = in.position();
        return switch (capability) {
            case TpmCap.ALGS -> new Algs(in.struct("TPML_ALG_PROPERTY",
                    r -> r.list(MAX_CAP_ALGS, TpmsAlgProperty::read)));
            case TpmCap.HANDLES -> new Handles(in.struct("TPML_HANDLE", r -> r.list(MAX_CAP_HANDLES, TpmReader::u32)));
            case TpmCap.COMMANDS -> new Commands(in.struct("TPML_CCA", r -> r.list(MAX_CAP_CC, TpmReader::u32)));
            case TpmCap.PP_COMMANDS -> new PpCommands(readCcList(in));
            case TpmCap.AUDIT_COMMANDS -> new AuditCommands(readCcList(in));
            case TpmCap.PCRS -> new Pcrs(TpmsPcrSelection.readList(in));
            case TpmCap.TPM_PROPERTIES -> new TpmProperties(in.struct("TPML_TAGGED_TPM_PROPERTY",
                    r -> r.list(MAX_TPM_PROPERTIES, TpmsTaggedProperty::read)));
            case TpmCap.PCR_PROPERTIES -> new PcrProperties(in.struct("TPML_TAGGED_PCR_PROPERTY",
                    r -> r.list(MAX_PCR_PROPERTIES, TpmsTaggedPcrSelect::read)));
            case TpmCap.ECC_CURVES -> new EccCurves(in.struct("TPML_ECC_CURVE",
                    r -> r.list(MAX_ECC_CURVES, TpmReader::u16)));
            case TpmCap.AUTH_POLICIES -> new AuthPolicies(in.struct("TPML_TAGGED_POLICY",
                    r -> r.list(MAX_TAGGED_POLICIES, TpmsTaggedPolicy::read)));
            case TpmCap.ACT -> new Act(in.struct("TPML_ACT_DATA", r -> r.list(MAX_ACT_DATA, TpmsActData::read)));
            default -> throw new TpmFormatException("TPMU_CAPABILITIES", start, "unknown capability "
                    + TpmCap.nameOf(capability));
        };
    }

    private static List<Integer> readCcList(TpmReader in) {
        return in.struct("TPML_CC", r -> r.list(MAX_CAP_CC, TpmReader::u32));
    }

    private static <T> List<T> bounded(List<T> items, int max) {
        if (items.size() > max) {
            throw new IllegalArgumentException("this capability list holds at most " + max + " entries, not "
                    + items.size());
        }
        return List.copyOf(items);
    }
}
