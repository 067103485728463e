package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tpmauth.tss.types.WireChecks.failsIn;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tss.wire.TpmWriter;

class TpmsCapabilityDataTest {
    static Stream<TpmuCapabilities> members() {
        return Stream.of(
                new TpmuCapabilities.Algs(List.of(new TpmsAlgProperty(TpmAlg.RSA.id(), 0x9),
                        new TpmsAlgProperty(0x7777, 0x4))),
                new TpmuCapabilities.Handles(List.of(0x81000001, 0x81010001)),
                new TpmuCapabilities.Commands(List.of(0x0440011F, 0x22000193)),
                new TpmuCapabilities.PpCommands(List.of(TpmCc.Clear)),
                new TpmuCapabilities.AuditCommands(List.of()),
                new TpmuCapabilities.Pcrs(List.of(TpmsPcrSelection.of(TpmAlg.SHA1, 0, 1, 23),
                        TpmsPcrSelection.of(TpmAlg.SHA256, 16))),
                new TpmuCapabilities.TpmProperties(List.of(new TpmsTaggedProperty(TpmPt.MANUFACTURER, 0x49424d00),
                        new TpmsTaggedProperty(TpmPt.LOCKOUT_COUNTER, 3))),
                new TpmuCapabilities.PcrProperties(List.of(new TpmsTaggedPcrSelect(TpmPtPcr.RESET_L0,
                        hex("ff0001")))),
                new TpmuCapabilities.EccCurves(List.of(0x0003, 0x0004, 0xABCD)),
                new TpmuCapabilities.AuthPolicies(List.of(new TpmsTaggedPolicy(TpmHandles.RH_OWNER,
                        new TpmtHa(TpmAlg.SHA256, new byte[32])))),
                new TpmuCapabilities.Act(List.of(new TpmsActData(0x40000110, 30, 1))));
    }

    @ParameterizedTest
    @MethodSource("members")
    void everyMemberRoundTrips(TpmuCapabilities member) {
        TpmsCapabilityData back = roundTrip(new TpmsCapabilityData(member), TpmsCapabilityData::read);
        assertEquals(member.capability(), back.capability());
        assertEquals(member.getClass(), back.data().getClass());
    }

    @Test
    void readsKnownBytes() {
        // TPM_CAP_TPM_PROPERTIES, one entry: TPM_PT_MANUFACTURER = "IBM\0"
        TpmsCapabilityData d = WireChecks.readAll(hex("00000006 00000001 00000105 49424d00"), TpmsCapabilityData::read);
        TpmuCapabilities.TpmProperties p = assertInstanceOf(TpmuCapabilities.TpmProperties.class, d.data());
        assertEquals(List.of(new TpmsTaggedProperty(TpmPt.MANUFACTURER, 0x49424d00)), p.properties());
        assertEquals("IBM", TpmPt.ascii(p.properties().get(0).value()));
    }

    @Test
    void unknownEccCurvesAreKeptAsNumbers() {
        TpmsCapabilityData d = WireChecks.readAll(hex("00000008 00000002 0003 fffe"), TpmsCapabilityData::read);
        assertEquals(List.of(3, 0xfffe), ((TpmuCapabilities.EccCurves) d.data()).curves());
    }

    @Test
    void unknownCapabilityIsRefused() {
        failsIn("TPMU_CAPABILITIES", "unknown capability", hex("0000000b 00000000"), TpmsCapabilityData::read);
        failsIn("TPMU_CAPABILITIES", "TPM_CAP_VENDOR_PROPERTY", hex("00000100 00000000"), TpmsCapabilityData::read);
    }

    static Stream<Arguments> listBounds() {
        return Stream.of(Arguments.of(TpmCap.ALGS, "TPML_ALG_PROPERTY", TpmuCapabilities.MAX_CAP_ALGS),
                Arguments.of(TpmCap.HANDLES, "TPML_HANDLE", TpmuCapabilities.MAX_CAP_HANDLES),
                Arguments.of(TpmCap.COMMANDS, "TPML_CCA", TpmuCapabilities.MAX_CAP_CC),
                Arguments.of(TpmCap.PP_COMMANDS, "TPML_CC", TpmuCapabilities.MAX_CAP_CC),
                Arguments.of(TpmCap.AUDIT_COMMANDS, "TPML_CC", TpmuCapabilities.MAX_CAP_CC),
                Arguments.of(TpmCap.PCRS, "TPML_PCR_SELECTION", 16),
                Arguments.of(TpmCap.TPM_PROPERTIES, "TPML_TAGGED_TPM_PROPERTY", TpmuCapabilities.MAX_TPM_PROPERTIES),
                Arguments.of(TpmCap.PCR_PROPERTIES, "TPML_TAGGED_PCR_PROPERTY", TpmuCapabilities.MAX_PCR_PROPERTIES),
                Arguments.of(TpmCap.ECC_CURVES, "TPML_ECC_CURVE", TpmuCapabilities.MAX_ECC_CURVES),
                Arguments.of(TpmCap.AUTH_POLICIES, "TPML_TAGGED_POLICY", TpmuCapabilities.MAX_TAGGED_POLICIES),
                Arguments.of(TpmCap.ACT, "TPML_ACT_DATA", TpmuCapabilities.MAX_ACT_DATA));
    }

    @ParameterizedTest
    @MethodSource("listBounds")
    void countsBeyondTheBoundAreRefused(int capability, String list, int max) {
        byte[] tooMany = TpmWriter.marshal(w -> w.u32(capability).u32(max + 1));
        failsIn(list, "exceeds the maximum " + max, tooMany, TpmsCapabilityData::read);
        byte[] huge = TpmWriter.marshal(w -> w.u32(capability).u32(0xffffffff));
        failsIn(list, "4294967295", huge, TpmsCapabilityData::read);
    }

    @Test
    void constructorsRefuseListsBeyondTheBound() {
        List<Integer> handles = Collections.nCopies(TpmuCapabilities.MAX_CAP_HANDLES + 1, 0x81000000);
        assertThrows(IllegalArgumentException.class, () -> new TpmuCapabilities.Handles(handles));
        List<Integer> curves = Collections.nCopies(TpmuCapabilities.MAX_ECC_CURVES, 3);
        assertEquals(TpmuCapabilities.MAX_ECC_CURVES, new TpmuCapabilities.EccCurves(curves).curves().size());
    }

    @Test
    void pcrPropertyBitmapLargerThanAnyTpmIsRefused() {
        byte[] bytes = TpmWriter.marshal(w -> w.u32(TpmCap.PCR_PROPERTIES).u32(1).u32(0).u8(33).bytes(new byte[33]));
        failsIn("TPMS_TAGGED_PCR_SELECT", "sizeofSelect 33", bytes, TpmsCapabilityData::read);
    }

    @Test
    void taggedPcrSelectListsItsPcrs() {
        TpmsTaggedPcrSelect s = new TpmsTaggedPcrSelect(TpmPtPcr.EXTEND_L0, hex("810002"));
        assertEquals(List.of(0, 7, 17), List.copyOf(s.pcrs()));
        assertEquals("TPM_PT_PCR_EXTEND_L0[0, 7, 17]", s.toString());
    }
}
