package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tpmauth.tss.types.WireChecks.failsIn;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmWriter;

class TpmsAttestTest {
    private static final byte[] NAME = hex("000b" + "11".repeat(32));
    private static final byte[] DIGEST = hex("22".repeat(32));
    private static final TpmsClockInfo CLOCK = new TpmsClockInfo(0x123456789aL, 7, 2, true);

    static Stream<TpmuAttest> members() {
        return Stream.of(new TpmuAttest.Certify(NAME, hex("000b" + "33".repeat(32))),
                new TpmuAttest.Quote(List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 1, 2)), DIGEST),
                new TpmuAttest.Creation(NAME, DIGEST),
                new TpmuAttest.CommandAudit(5, TpmAlg.SHA256, DIGEST, new byte[0]),
                new TpmuAttest.SessionAudit(true, DIGEST),
                new TpmuAttest.Time(new TpmsTimeInfo(1000, CLOCK), 0x2019102300163636L),
                new TpmuAttest.Nv(NAME, 4, hex("cafe")),
                new TpmuAttest.NvDigest(NAME, DIGEST));
    }

    private static TpmsAttest attest(TpmuAttest member) {
        return new TpmsAttest(hex("000b" + "44".repeat(32)), hex("0102030405060708"), CLOCK, 0x2019102300163636L,
                member);
    }

    @ParameterizedTest
    @MethodSource("members")
    void everyMemberRoundTrips(TpmuAttest member) {
        TpmsAttest back = roundTrip(attest(member), TpmsAttest::read);
        assertEquals(member.type(), back.type());
        assertEquals(member.getClass(), back.attested().getClass());
        assertEquals(CLOCK, back.clockInfo());
        assertArrayEquals(hex("0102030405060708"), back.extraData());
        assertEquals(0x2019102300163636L, back.firmwareVersion());
    }

    @Test
    void readsAQuoteAsATpmWritesIt() {
        // shape of a swtpm quote: magic, ATTEST_QUOTE, signer name, 8-byte nonce, clock, firmware, sha256:0,1,2
        String bytes = "ff544347" + "8018" + "0022000b" + "44".repeat(32) + "00080102030405060708"
                + "000000123456789a" + "00000007" + "00000002" + "01" + "2019102300163636"
                + "00000001" + "000b" + "03" + "070000" + "0020" + "22".repeat(32);
        TpmsAttest a = TpmsAttest.fromBytes(hex(bytes));
        TpmuAttest.Quote q = assertInstanceOf(TpmuAttest.Quote.class, a.attested());
        assertEquals(TpmSt.ATTEST_QUOTE, a.type());
        assertEquals("[sha256:[0, 1, 2]]", q.pcrSelect().toString());
        assertArrayEquals(DIGEST, q.pcrDigest());
        assertEquals(bytes, hex(a.toBytes()));
    }

    @Test
    void badMagicIsRefused() {
        byte[] bytes = attest(members().findFirst().orElseThrow()).toBytes();
        bytes[0] = 0x7f;
        TpmFormatException e = failsIn("TPMS_ATTEST", "TPM_GENERATED_VALUE", bytes, TpmsAttest::read);
        assertEquals(0, e.offset());
    }

    @Test
    void unknownAttestationTypeIsRefused() {
        byte[] bytes = attest(new TpmuAttest.SessionAudit(false, DIGEST)).toBytes();
        bytes[4] = (byte) 0x80;
        bytes[5] = 0x17 + 0x20; // 0x8037: no such TPM_ST_ATTEST_*
        TpmFormatException e = failsIn("TPMS_ATTEST", "unknown attestation type 0x8037", bytes, TpmsAttest::read);
        assertEquals(4, e.offset());
        bytes[5] = 0x00; // TPM_ST_NULL is not an attestation type either
        failsIn("TPMS_ATTEST", "0x8000", bytes, TpmsAttest::read);
    }

    @Test
    void safeMustBeABoolean() {
        byte[] bytes = attest(new TpmuAttest.NvDigest(NAME, DIGEST)).toBytes();
        int safeAt = 4 + 2 + 2 + 34 + 2 + 8 + 8 + 4 + 4;
        assertEquals(1, bytes[safeAt]);
        bytes[safeAt] = 2;
        failsIn("TPMS_CLOCK_INFO", "TPMI_YES_NO", bytes, TpmsAttest::read);
    }

    @Test
    void fromBytesRefusesTrailingBytes() {
        byte[] good = attest(new TpmuAttest.Creation(NAME, DIGEST)).toBytes();
        byte[] longer = TpmWriter.marshal(w -> w.bytes(good).u8(0));
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> TpmsAttest.fromBytes(longer));
        assertEquals("TPM2B_ATTEST", e.structure());
        assertEquals(good.length, e.offset());
    }

    @Test
    void oversizedNamesAreRefused() {
        byte[] bytes = TpmWriter.marshal(w -> w.u32(TpmsAttest.MAGIC).u16(TpmSt.ATTEST_CERTIFY).sized(new byte[67]));
        failsIn("TPMS_ATTEST", "size 67 exceeds the maximum 66", bytes, TpmsAttest::read);
        byte[] nv = attest(new TpmuAttest.Nv(NAME, 0, new byte[Tpm2bLimits.MAX_NV_BUFFER + 1])).toBytes();
        failsIn("TPMS_NV_CERTIFY_INFO", "exceeds the maximum 2048", nv, TpmsAttest::read);
    }
}
