package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.types.WireChecks.assertRejected;
import static org.tpmauth.tss.types.WireChecks.everyTruncationFails;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.readAll;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.math.BigInteger;
import java.security.spec.ECPoint;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_SENSITIVE_CREATE, TPMT_TK_*, TPMS_CREATION_DATA, TPMS_CONTEXT, TPMS_ECC_POINT and the
 * TPMU_PUBLIC_PARMS / TPMU_PUBLIC_ID members.
 */
class KeyStructuresTest {
    @Test
    void sensitiveCreateRoundTripsAndHidesItsSecrets() {
        TpmsSensitiveCreate s = new TpmsSensitiveCreate("hunter2".getBytes(), hex("cafe"));
        assertArrayEquals(hex("000d 0007 68756e74657232 0002 cafe"), TpmWriter.marshal(s::marshalSized));
        roundTrip(s, TpmsSensitiveCreate::read);
        TpmsSensitiveCreate back = readAll(TpmWriter.marshal(s::marshalSized), TpmsSensitiveCreate::readSized);
        assertArrayEquals(s.userAuth(), back.userAuth());
        everyTruncationFails(TpmWriter.marshal(s::marshalSized), TpmsSensitiveCreate::readSized);
        assertFalse(s.toString().contains("hunter2"));
        assertFalse(s.toString().toLowerCase().contains("cafe"));
        assertEquals("TpmsSensitiveCreate[userAuth=empty, data=empty]", TpmsSensitiveCreate.EMPTY.toString());
        assertArrayEquals(hex("0004 0000 0000"), TpmWriter.marshal(TpmsSensitiveCreate.EMPTY::marshalSized));
        assertRejected(hex("0041" + "00".repeat(65) + "0000"), TpmsSensitiveCreate::read, "TPMS_SENSITIVE_CREATE");
    }

    @Test
    void ticketsCheckTheirTag() {
        TpmtTicket nullTicket = TpmtTicket.nullHashcheck();
        assertArrayEquals(hex("8024 40000007 0000"), nullTicket.toBytes());
        assertTrue(nullTicket.isNull());
        TpmtTicket creation = new TpmtTicket(TpmSt.CREATION, TpmHandles.RH_OWNER, new byte[32]);
        roundTrip(creation, in -> TpmtTicket.read(in, TpmSt.CREATION));
        assertFalse(creation.isNull());
        assertRejected(creation.toBytes(), in -> TpmtTicket.read(in, TpmSt.VERIFIED), "TPMT_TK_VERIFIED");
        assertRejected(nullTicket.toBytes(), in -> TpmtTicket.read(in, TpmSt.CREATION), "TPMT_TK_CREATION");
        everyTruncationFails(nullTicket.toBytes(), in -> TpmtTicket.read(in, TpmSt.HASHCHECK));
        assertThrows(IllegalArgumentException.class, () -> TpmtTicket.structureName(TpmSt.ATTEST_QUOTE));
    }

    @Test
    void creationDataRoundTrips() {
        TpmsCreationData data = new TpmsCreationData(List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7)), new byte[32],
                1, TpmAlg.SHA256, hex("000b" + "11".repeat(32)), hex("000b" + "22".repeat(32)), hex("0102"));
        TpmsCreationData back = roundTrip(data, TpmsCreationData::read);
        assertEquals(List.of(0, 7), List.copyOf(back.pcrSelect().get(0).pcrs()));
        assertEquals(TpmAlg.SHA256, back.parentNameAlg());
        byte[] sized = TpmWriter.marshal(data::marshalSized);
        readAll(sized, TpmsCreationData::readSized);
        everyTruncationFails(sized, TpmsCreationData::readSized);
        // a primary's creation data: parent NULL, parent name = the hierarchy handle
        TpmsCreationData primary = new TpmsCreationData(List.of(), new byte[0], 0, TpmAlg.NULL, hex("40000001"),
                hex("40000001"), new byte[0]);
        roundTrip(primary, TpmsCreationData::read);
    }

    @Test
    void contextRoundTripsAndBoundsItsBlob() {
        TpmsContext ctx = new TpmsContext(0x123456789aL, 0x80000001, TpmHandles.RH_OWNER, new byte[300]);
        TpmsContext back = roundTrip(ctx, TpmsContext::read);
        assertEquals(0x123456789aL, back.sequence());
        assertEquals(0x80000001, back.savedHandle());
        assertTrue(ctx.toString().contains("300 bytes"));
        TpmWriter w = new TpmWriter().u64(1).u32(0x80000000).u32(TpmHandles.RH_NULL).u16(Tpm2bLimits.CONTEXT_DATA + 1);
        assertRejected(w.toByteArray(), TpmsContext::read, "TPMS_CONTEXT");
    }

    @Test
    void eccPointsPadAndRoundTrip() {
        ECPoint p = new ECPoint(BigInteger.valueOf(0x1234), new BigInteger("ff".repeat(32), 16));
        TpmsEccPoint point = TpmsEccPoint.of(p, TpmEccCurve.NIST_P256);
        assertEquals(32, point.x().length);
        assertEquals("00".repeat(30) + "1234", HexFormat.of().formatHex(point.x()));
        assertEquals(p, point.toEcPoint());
        roundTrip(point, TpmsEccPoint::read);
        byte[] sized = TpmWriter.marshal(point::marshalSized);
        assertArrayEquals(hex("0044 0020"), java.util.Arrays.copyOf(sized, 4));
        readAll(sized, TpmsEccPoint::readSized);
        everyTruncationFails(sized, TpmsEccPoint::readSized);
        assertRejected(hex("0000"), TpmsEccPoint::readSized, "TPMS_ECC_POINT");
        assertThrows(IllegalArgumentException.class, () -> TpmsEccPoint.of(ECPoint.POINT_INFINITY,
                TpmEccCurve.NIST_P256));
        assertThrows(IllegalArgumentException.class, () -> TpmsEccPoint.of(new ECPoint(BigInteger.ONE.shiftLeft(256),
                BigInteger.ONE), TpmEccCurve.NIST_P256));
    }

    @Test
    void publicParmsMembersRoundTripWithTheirType() {
        List<TpmuPublicParms> samples = List.of(
                new TpmuPublicParms.Rsa(TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, 2048, 0),
                new TpmuPublicParms.Rsa(TpmtAsymScheme.oaep(TpmAlg.SHA256), 4096),
                new TpmuPublicParms.Ecc(TpmtSymDefObject.NULL, TpmtAsymScheme.ecdaa(TpmAlg.SHA256, 3),
                        TpmEccCurve.BN_P256, TpmtKdfScheme.of(TpmAlg.KDF1_SP800_56A, TpmAlg.SHA256)),
                new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.xor(TpmAlg.SHA256, TpmAlg.KDF1_SP800_108)),
                new TpmuPublicParms.SymCipher(TpmtSymDefObject.aesCfb(256)));
        for (TpmuPublicParms parms : samples) {
            byte[] tagged = TpmWriter.marshal(parms::marshalWithType);
            TpmuPublicParms back = readAll(tagged, TpmuPublicParms::readWithType);
            assertEquals(parms, back);
            everyTruncationFails(tagged, TpmuPublicParms::readWithType);
        }
        assertArrayEquals(hex("0001 0010 0014 000b 0800 00000000"),
                TpmWriter.marshal(new TpmuPublicParms.Rsa(TpmtAsymScheme.rsassa(TpmAlg.SHA256), 2048)::marshalWithType));
        assertRejected(hex("0006 0010"), TpmuPublicParms::readWithType, "TPMT_PUBLIC_PARMS");
        assertRejected(hex("0001 0010 0018 000b 0800 00000000"), TpmuPublicParms::readWithType, "TPMT_RSA_SCHEME");
        assertRejected(hex("0023 0010 0014 000b 0003 0010"), TpmuPublicParms::readWithType, "TPMT_ECC_SCHEME");
        assertRejected(hex("0023 0010 0010 0099 0010"), TpmuPublicParms::readWithType, "TPMS_ECC_PARMS");
        assertThrows(IllegalArgumentException.class,
                () -> new TpmuPublicParms.Rsa(TpmtAsymScheme.ecdsa(TpmAlg.SHA256), 2048));
        assertThrows(IllegalArgumentException.class,
                () -> new TpmuPublicParms.Ecc(TpmtAsymScheme.rsassa(TpmAlg.SHA256), TpmEccCurve.NIST_P256));
    }

    @Test
    void publicIdMembersFollowTheirType() {
        assertTrue(new TpmuPublicId.Digest(new byte[0]).suits(TpmAlg.KEYEDHASH));
        assertTrue(new TpmuPublicId.Digest(new byte[0]).suits(TpmAlg.SYMCIPHER));
        assertFalse(new TpmuPublicId.Rsa(new byte[0]).suits(TpmAlg.ECC));
        assertArrayEquals(hex("0000 0000"), TpmuPublicId.empty(TpmAlg.ECC).toBytes());
        assertArrayEquals(hex("0000"), TpmuPublicId.empty(TpmAlg.RSA).toBytes());
        assertRejected(hex("0041" + "00".repeat(65)), in -> TpmuPublicId.read(in, TpmAlg.KEYEDHASH), "TPM2B_DIGEST");
        assertRejected(hex("0081" + "00".repeat(129) + "0000"), in -> TpmuPublicId.read(in, TpmAlg.ECC),
                "TPMS_ECC_POINT");
        assertThrows(IllegalArgumentException.class, () -> TpmuPublicId.empty(TpmAlg.AES));
    }
}
