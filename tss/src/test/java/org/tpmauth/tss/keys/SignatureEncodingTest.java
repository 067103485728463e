package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Random;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSignature;

class SignatureEncodingTest {
    /** Bouncy Castle's DER for the same two numbers: what the hand-written encoder must produce. */
    private static byte[] reference(byte[] r, byte[] s) throws IOException {
        ASN1EncodableVector v = new ASN1EncodableVector(2);
        v.add(new ASN1Integer(new BigInteger(1, r)));
        v.add(new ASN1Integer(new BigInteger(1, s)));
        return new DERSequence(v).getEncoded("DER");
    }

    @Test
    void ecdsaDerMatchesBouncyCastleForEveryCurveSizeAndEdge() throws IOException {
        Random random = new Random(5);
        for (int size : new int[] {1, 20, 32, 48, 63, 64, 66, 127, 128, 200}) { // 66: P-521, long-form lengths
            for (int i = 0; i < 200; i++) {
                byte[] r = new byte[size];
                byte[] s = new byte[size];
                random.nextBytes(r);
                random.nextBytes(s);
                switch (i % 4) {
                    case 0 -> r[0] |= (byte) 0x80; // needs a leading 0x00
                    case 1 -> r[0] = 0; // leading zeros to drop
                    case 2 -> {
                        java.util.Arrays.fill(s, 0, size - 1, (byte) 0);
                        s[size - 1] = (byte) 0x81; // one significant byte, top bit set
                    }
                    default -> r[0] &= 0x7f;
                }
                assertArrayEquals(reference(r, s), SignatureEncoding.ecdsaDer(r, s), "size " + size + " case " + i % 4);
            }
        }
    }

    @Test
    void zeroAndEmptyValuesEncodeAsIntegerZero() throws IOException {
        assertArrayEquals(reference(new byte[0], new byte[] {0, 0}), SignatureEncoding.ecdsaDer(new byte[0], new byte[] {0, 0}));
    }

    @Test
    void standardEncodingReadsBack() {
        byte[] r = new byte[32];
        byte[] s = new byte[32];
        new Random(7).nextBytes(r);
        new Random(8).nextBytes(s);
        r[0] = (byte) 0xff;
        s[0] = 0;
        TpmtSignature.Ecc back = (TpmtSignature.Ecc) SignatureEncoding.fromStandard(TpmAlg.ECDSA, TpmAlg.SHA256,
                SignatureEncoding.ecdsaDer(r, s));
        assertEquals(new BigInteger(1, r), new BigInteger(1, back.r()));
        assertEquals(new BigInteger(1, s), new BigInteger(1, back.s()));
    }
}
