package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.types.WireChecks.everyTruncationFails;
import static org.tpmauth.tss.types.WireChecks.failsIn;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.readAll;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmWriter;

class TpmsNvPublicTest {
    private static final int ATTRS = TpmaNv.OWNERWRITE | TpmaNv.OWNERREAD | TpmaNv.AUTHREAD | TpmaNv.AUTHWRITE;
    private static final TpmsNvPublic NV = new TpmsNvPublic(0x01500001, TpmAlg.SHA256, ATTRS, hex("aabb"), 32);

    @Test
    void marshalsTheSpecLayout() {
        assertEquals("01500001" + "000b" + "00060006" + "0002aabb" + "0020", hex(NV.toBytes()));
        assertEquals("0010" + hex(NV.toBytes()), hex(TpmWriter.marshal(NV::marshalSized)));
    }

    @Test
    void roundTripsPlainAndSized() {
        TpmsNvPublic back = roundTrip(NV, TpmsNvPublic::read);
        assertEquals(0x01500001, back.nvIndex());
        assertEquals(ATTRS, back.attributes());
        assertArrayEquals(hex("aabb"), back.authPolicy());
        TpmsNvPublic sized = readAll(TpmWriter.marshal(NV::marshalSized), TpmsNvPublic::readSized);
        assertArrayEquals(NV.toBytes(), sized.toBytes());
    }

    @Test
    void nameIsNameAlgThenHashOfThePublicArea() throws Exception {
        byte[] digest = sha256(NV.toBytes());
        byte[] expected = TpmWriter.marshal(w -> w.u16(0x000b).bytes(digest));
        assertArrayEquals(expected, NV.name());
        assertEquals(34, NV.name().length);
        TpmsNvPublic written = new TpmsNvPublic(NV.nvIndex(), NV.nameAlg(), ATTRS | TpmaNv.WRITTEN, NV.authPolicy(), 32);
        assertTrue(!java.util.Arrays.equals(NV.name(), written.name()), "WRITTEN changes the name");
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    @Test
    void truncationsOfTheSizedFormFail() {
        everyTruncationFails(TpmWriter.marshal(NV::marshalSized), TpmsNvPublic::readSized);
    }

    @Test
    void refusesBadInput() {
        failsIn("TPMS_NV_PUBLIC", "nameAlg RSA", hex("01500001 0001 00000000 0000 0000"), TpmsNvPublic::read);
        failsIn("TPMS_NV_PUBLIC", "size 65 exceeds", TpmWriter.marshal(w -> w.u32(1).u16(0xb).u32(0)
                .sized(new byte[65]).u16(0)), TpmsNvPublic::read);
        // a TPM2B_NV_PUBLIC whose size claims one byte more than the structure
        byte[] padded = TpmWriter.marshal(w -> w.sized(TpmWriter.marshal(x -> x.bytes(NV.toBytes()).u8(0))));
        TpmFormatException e = failsIn("TPM2B_NV_PUBLIC", "left over", padded, TpmsNvPublic::readSized);
        assertEquals(2 + NV.toBytes().length, e.offset());
    }

    @Test
    void constructorChecksItsFields() {
        assertThrows(IllegalArgumentException.class, () -> new TpmsNvPublic(1, TpmAlg.NULL, 0, new byte[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new TpmsNvPublic(1, TpmAlg.SHA1, 0, new byte[65], 0));
        assertThrows(IllegalArgumentException.class, () -> new TpmsNvPublic(1, TpmAlg.SHA1, 0, new byte[0], 65536));
    }

    @Test
    void toStringShowsTheIndex() {
        assertTrue(NV.toString().contains("index=0x01500001"), NV.toString());
    }

    @Test
    void nvTypeLivesInBitsFourToSeven() {
        int counter = TpmaNv.withType(ATTRS, TpmaNv.NT_COUNTER);
        assertEquals(0x00060016, counter);
        assertEquals(TpmaNv.NT_COUNTER, TpmaNv.type(counter));
        assertEquals(TpmaNv.NT_ORDINARY, TpmaNv.type(ATTRS));
        assertEquals(TpmaNv.NT_PIN_PASS, TpmaNv.type(TpmaNv.withType(-1, TpmaNv.NT_PIN_PASS)));
        assertThrows(IllegalArgumentException.class, () -> TpmaNv.withType(0, 16));
    }
}
