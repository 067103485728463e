package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tpmauth.tss.types.WireChecks.everyTruncationFails;
import static org.tpmauth.tss.types.WireChecks.failsIn;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.readAll;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.wire.TpmWriter;

class TpmtHaTest {
    private static final TpmtHa SHA1 = new TpmtHa(TpmAlg.SHA1, hex("a9993e364706816aba3e25717850c26c9cd0d89d"));
    private static final TpmtHa SHA256 = new TpmtHa(TpmAlg.SHA256, new byte[32]);

    @Test
    void roundTripsEachHashAndNull() {
        for (TpmAlg alg : List.of(TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512, TpmAlg.SM3_256)) {
            TpmtHa ha = new TpmtHa(alg, new byte[alg.digestSize()]);
            byte[] bytes = ha.toBytes();
            assertEquals(2 + alg.digestSize(), bytes.length);
            roundTrip(ha, TpmtHa::read);
        }
        TpmtHa none = roundTrip(new TpmtHa(TpmAlg.NULL, new byte[0]), TpmtHa::read);
        assertArrayEquals(hex("0010"), none.toBytes());
    }

    @Test
    void marshalsAsAlgorithmThenDigest() {
        assertEquals("0004a9993e364706816aba3e25717850c26c9cd0d89d", hex(SHA1.toBytes()));
    }

    @Test
    void refusesNonHashAndUnknownAlgorithms() {
        failsIn("TPMT_HA", "not a hash algorithm", hex("0001"), TpmtHa::read);
        failsIn("TPMT_HA", "unknown algorithm id 0x7777", hex("7777"), TpmtHa::read);
    }

    @Test
    void constructorChecksTheDigestSize() {
        assertThrows(IllegalArgumentException.class, () -> new TpmtHa(TpmAlg.SHA256, new byte[20]));
        assertThrows(IllegalArgumentException.class, () -> new TpmtHa(TpmAlg.AES, new byte[0]));
    }

    @Test
    void digestValuesListRoundTripsAndIsBounded() {
        List<TpmtHa> list = List.of(SHA1, SHA256);
        byte[] bytes = WireChecks.marshal(w -> TpmtHa.writeList(w, list));
        assertEquals(4 + 22 + 34, bytes.length);
        List<TpmtHa> back = roundTrip(bytes, TpmtHa::readList, TpmtHa::writeList);
        assertEquals(TpmAlg.SHA256, back.get(1).hashAlg());
        everyTruncationFails(bytes, TpmtHa::readList);

        byte[] tooMany = TpmWriter.marshal(w -> TpmtHa.writeList(w, Collections.nCopies(17, SHA256)));
        failsIn("TPML_DIGEST_VALUES", "exceeds the maximum 16", tooMany, TpmtHa::readList);
    }

    @Test
    void digestListRoundTripsAndIsBounded() {
        List<byte[]> digests = List.of(new byte[32], hex("0102"), new byte[0]);
        byte[] bytes = WireChecks.marshal(w -> TpmlDigest.write(w, digests));
        assertEquals("00000003" + "0020" + "00".repeat(32) + "00020102" + "0000", hex(bytes));
        List<byte[]> back = readAll(bytes, TpmlDigest::read);
        assertArrayEquals(hex("0102"), back.get(1));
        everyTruncationFails(bytes, TpmlDigest::read);

        byte[] nine = TpmWriter.marshal(w -> w.u32(9));
        failsIn("TPML_DIGEST", "exceeds the maximum 8", nine, TpmlDigest::read);
        byte[] oversized = TpmWriter.marshal(w -> w.u32(1).sized(new byte[65]));
        failsIn("TPML_DIGEST", "size 65 exceeds the maximum 64", oversized, TpmlDigest::read);
        assertThrows(IllegalArgumentException.class,
                () -> WireChecks.marshal(w -> TpmlDigest.write(w, Collections.nCopies(9, new byte[0]))));
    }
}
