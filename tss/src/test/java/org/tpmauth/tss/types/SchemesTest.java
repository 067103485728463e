package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tpmauth.tss.types.WireChecks.assertRejected;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.wire.TpmReader;

/** TPMT_RSA_SCHEME / TPMT_ECC_SCHEME / TPMT_RSA_DECRYPT, TPMT_KDF_SCHEME, TPMT_KEYEDHASH_SCHEME, TPMT_SYM_DEF(_OBJECT). */
class SchemesTest {
    private static final List<TpmtAsymScheme> ASYM = List.of(TpmtAsymScheme.NULL, TpmtAsymScheme.RSAES,
            TpmtAsymScheme.rsassa(TpmAlg.SHA256), TpmtAsymScheme.rsapss(TpmAlg.SHA384),
            TpmtAsymScheme.oaep(TpmAlg.SHA1), TpmtAsymScheme.ecdsa(TpmAlg.SHA512), TpmtAsymScheme.ecdh(TpmAlg.SHA256),
            TpmtAsymScheme.ecdaa(TpmAlg.SHA256, 7), TpmtAsymScheme.of(TpmAlg.SM2, TpmAlg.SM3_256),
            TpmtAsymScheme.of(TpmAlg.ECSCHNORR, TpmAlg.SHA256), TpmtAsymScheme.of(TpmAlg.ECMQV, TpmAlg.SHA256));

    @Test
    void asymmetricSchemesHaveTheSpecLayout() {
        assertArrayEquals(hex("0010"), TpmtAsymScheme.NULL.toBytes());
        assertArrayEquals(hex("0015"), TpmtAsymScheme.RSAES.toBytes());
        assertArrayEquals(hex("0017 000b"), TpmtAsymScheme.oaep(TpmAlg.SHA256).toBytes());
        assertArrayEquals(hex("0018 000c"), TpmtAsymScheme.ecdsa(TpmAlg.SHA384).toBytes());
        assertArrayEquals(hex("001a 000b 1234"), TpmtAsymScheme.ecdaa(TpmAlg.SHA256, 0x1234).toBytes());
    }

    @Test
    void eachKindReadsItsOwnSchemesAndRejectsTheOthers() {
        for (TpmtAsymScheme.Kind kind : TpmtAsymScheme.Kind.values()) {
            TpmReader.Reading<TpmtAsymScheme> reader = in -> TpmtAsymScheme.read(in, kind);
            for (TpmtAsymScheme scheme : ASYM) {
                if (kind.allows(scheme.scheme())) {
                    assertEquals(scheme, roundTrip(scheme, reader));
                } else {
                    assertRejected(scheme.toBytes(), reader, kind.structure());
                }
            }
        }
    }

    @Test
    void schemeDetailsMustNameAHash() {
        assertRejected(hex("0014 0010"), in -> TpmtAsymScheme.read(in, TpmtAsymScheme.Kind.RSA_SCHEME),
                "TPMT_RSA_SCHEME");
        assertRejected(hex("0018 0006"), in -> TpmtAsymScheme.read(in, TpmtAsymScheme.Kind.ECC_SCHEME),
                "TPMT_ECC_SCHEME");
        assertRejected(hex("7777"), in -> TpmtAsymScheme.read(in, TpmtAsymScheme.Kind.RSA_DECRYPT),
                "TPMT_RSA_DECRYPT");
    }

    @Test
    void asymmetricSchemeConstructorRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> TpmtAsymScheme.rsassa(TpmAlg.NULL));
        assertThrows(IllegalArgumentException.class, () -> new TpmtAsymScheme(TpmAlg.RSAES, TpmAlg.SHA256, 0));
        assertThrows(IllegalArgumentException.class, () -> TpmtAsymScheme.of(TpmAlg.AES, TpmAlg.SHA256));
        assertThrows(IllegalArgumentException.class, () -> new TpmtAsymScheme(TpmAlg.ECDSA, TpmAlg.SHA256, 1));
        assertThrows(IllegalArgumentException.class, () -> TpmtAsymScheme.ecdaa(TpmAlg.SHA256, 0x10000));
    }

    @Test
    void kdfSchemes() {
        assertArrayEquals(hex("0010"), TpmtKdfScheme.NULL.toBytes());
        assertArrayEquals(hex("0022 000b"), TpmtKdfScheme.of(TpmAlg.KDF1_SP800_108, TpmAlg.SHA256).toBytes());
        for (TpmAlg kdf : List.of(TpmAlg.MGF1, TpmAlg.KDF1_SP800_56A, TpmAlg.KDF2, TpmAlg.KDF1_SP800_108)) {
            assertEquals(TpmtKdfScheme.of(kdf, TpmAlg.SHA384), roundTrip(TpmtKdfScheme.of(kdf, TpmAlg.SHA384),
                    TpmtKdfScheme::read));
        }
        assertEquals(TpmtKdfScheme.NULL, roundTrip(TpmtKdfScheme.NULL, TpmtKdfScheme::read));
        assertRejected(hex("0006 000b"), TpmtKdfScheme::read, "TPMT_KDF_SCHEME");
        assertRejected(hex("0007 0010"), TpmtKdfScheme::read, "TPMT_KDF_SCHEME");
        assertThrows(IllegalArgumentException.class, () -> TpmtKdfScheme.of(TpmAlg.ECDSA, TpmAlg.SHA256));
        assertThrows(IllegalArgumentException.class, () -> TpmtKdfScheme.of(TpmAlg.NULL, TpmAlg.SHA256));
    }

    @Test
    void keyedHashSchemes() {
        assertArrayEquals(hex("0010"), TpmtKeyedHashScheme.NULL.toBytes());
        assertArrayEquals(hex("0005 000b"), TpmtKeyedHashScheme.hmac(TpmAlg.SHA256).toBytes());
        assertArrayEquals(hex("000a 000b 0022"),
                TpmtKeyedHashScheme.xor(TpmAlg.SHA256, TpmAlg.KDF1_SP800_108).toBytes());
        for (TpmtKeyedHashScheme s : List.of(TpmtKeyedHashScheme.NULL, TpmtKeyedHashScheme.hmac(TpmAlg.SHA1),
                TpmtKeyedHashScheme.xor(TpmAlg.SHA512, TpmAlg.MGF1))) {
            assertEquals(s, roundTrip(s, TpmtKeyedHashScheme::read));
        }
        assertRejected(hex("0014 000b"), TpmtKeyedHashScheme::read, "TPMT_KEYEDHASH_SCHEME");
        assertRejected(hex("000a 000b 0010"), TpmtKeyedHashScheme::read, "TPMT_KEYEDHASH_SCHEME");
        assertThrows(IllegalArgumentException.class, () -> TpmtKeyedHashScheme.xor(TpmAlg.SHA256, TpmAlg.NULL));
        assertThrows(IllegalArgumentException.class, () -> TpmtKeyedHashScheme.hmac(TpmAlg.NULL));
    }

    @Test
    void symmetricDefinitions() {
        assertArrayEquals(hex("0010"), TpmtSymDefObject.NULL.toBytes());
        assertArrayEquals(hex("0006 0080 0043"), TpmtSymDefObject.AES_128_CFB.toBytes());
        assertArrayEquals(hex("000a 000b"), new TpmtSymDefObject.Xor(TpmAlg.SHA256).toBytes());
        for (TpmtSymDefObject s : List.of(TpmtSymDefObject.NULL, TpmtSymDefObject.AES_128_CFB,
                new TpmtSymDefObject.Cipher(TpmAlg.SM4, 128, TpmAlg.CBC),
                new TpmtSymDefObject.Cipher(TpmAlg.CAMELLIA, 256, TpmAlg.NULL))) {
            assertEquals(s, roundTrip(s, TpmtSymDefObject::read));
            assertEquals(s, roundTrip(s, TpmtSymDefObject::readSymDef));
        }
        TpmtSymDefObject xor = new TpmtSymDefObject.Xor(TpmAlg.SHA256);
        assertEquals(xor, roundTrip(xor, TpmtSymDefObject::readSymDef));
        assertRejected(xor.toBytes(), TpmtSymDefObject::read, "TPMT_SYM_DEF_OBJECT");
        assertRejected(hex("0006 0080 000b"), TpmtSymDefObject::read, "TPMT_SYM_DEF_OBJECT");
        assertRejected(hex("0001 0800"), TpmtSymDefObject::readSymDef, "TPMT_SYM_DEF");
        assertThrows(IllegalArgumentException.class, () -> new TpmtSymDefObject.Cipher(TpmAlg.XOR, 128, TpmAlg.CFB));
        assertThrows(IllegalArgumentException.class, () -> new TpmtSymDefObject.Cipher(TpmAlg.AES, 128, TpmAlg.SHA1));
        assertThrows(IllegalArgumentException.class, () -> new TpmuPublicParms.SymCipher(xor));
    }
}
