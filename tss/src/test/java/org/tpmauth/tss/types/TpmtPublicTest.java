package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.types.WireChecks.assertRejected;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.readAll;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.wire.TpmWriter;

class TpmtPublicTest {
    private static final int STORAGE = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.USER_WITH_AUTH | TpmaObject.NO_DA
            | TpmaObject.RESTRICTED | TpmaObject.DECRYPT;

    /** The ECC P-256 storage primary template of tpm2-openssl and tpm2-tools (-G ecc256:aes128cfb). */
    static final TpmtPublic ECC_STORAGE = new TpmtPublic(TpmAlg.SHA256, STORAGE, new TpmuPublicParms.Ecc(
            TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL));

    /**
     * What swtpm returned for that template to tpm2_createprimary, as tpm2_readpublic -f tss wrote it,
     * with the Name tpm2_readpublic printed.
     */
    private static final String ECC_PRIMARY_PUB = "005a0023000b00030472000000060080004300100003001000"
            + "20b0ac27f54e94146fc8df895507d6e3de49f2adbe0eeb2da4a0e957853aee60f9002026eee82fdb662de0284a9ea7d0"
            + "b9e7dc080166a0c94713ad84d4ec663302964a";
    private static final String ECC_PRIMARY_NAME = "000b70ff649b5d3020639337d5aa74f52cb71746c5eeec0dd60c4820582f5064857a";
    /** The same for -G rsa2048:aes128cfb. */
    private static final String RSA_PRIMARY_PUB = "011a0001000b000304720000000600800043001008000000000001"
            + "00a0365e40f7ea5b800a12f0b319fb4bb39f4953d90c725d59c8fe7088c156682bcb179755dc48aafe032eeebe2c52"
            + "6c6279a37e1be4d39c265b42d894f8d14b853810082cd2a8f477aaa19659bd761001500a6e4c83e7c9b52f64720f9fd7"
            + "fda74d5fca474307911f3cf5beb7a79c8a90c237c7a048972e9648ee252573a37a59563d865c0ce8b7371ca3ffde7ffd"
            + "e7469cf67450cb7cfb08a7351d9b03e3a9d8ed9314b0fe7800636de9d69a06285e9f9e2b6ae8f092d8edf5240f0c44d92"
            + "27f5fcf6efcbd680f5dd4779a1443e9610d6937bd5bfb856705c23522d912a911c11a012bc57b9b74aa724a7b765d4ae"
            + "fbe8a3c9cec6fcee6b3b674dcfb8890ddd1";
    private static final String RSA_PRIMARY_NAME = "000b57a2b9c31d8bf56a109d645f39288f0ab9c5bccdd5545b48e2d0df702dd6ad73";

    private static byte[] sized(TpmtPublic pub) {
        return TpmWriter.marshal(pub::marshalSized);
    }

    @Test
    void eccStorageTemplateHasTheKnownBytes() {
        assertArrayEquals(hex("001a 0023 000b 00030472 0000 0006 0080 0043 0010 0003 0010 0000 0000"),
                sized(ECC_STORAGE));
    }

    @Test
    void readsAndNamesAnEccPrimaryAsTpm2ToolsDoes() {
        byte[] bytes = hex(ECC_PRIMARY_PUB);
        TpmtPublic pub = readAll(bytes, TpmtPublic::readSized);
        assertEquals(TpmAlg.ECC, pub.type());
        assertEquals(0x00030472, pub.objectAttributes());
        TpmuPublicParms.Ecc ecc = assertInstanceOf(TpmuPublicParms.Ecc.class, pub.parameters());
        assertEquals(TpmEccCurve.NIST_P256, ecc.curveId());
        assertEquals(TpmtSymDefObject.AES_128_CFB, ecc.symmetric());
        assertArrayEquals(bytes, sized(pub));
        assertArrayEquals(hex(ECC_PRIMARY_NAME), pub.name());
        ECPublicKey key = assertInstanceOf(ECPublicKey.class, pub.toPublicKey());
        assertEquals(new BigInteger(ECC_PRIMARY_PUB.substring(52, 116), 16), key.getW().getAffineX());
    }

    @Test
    void readsAndNamesAnRsaPrimaryAsTpm2ToolsDoes() {
        byte[] bytes = hex(RSA_PRIMARY_PUB);
        TpmtPublic pub = readAll(bytes, TpmtPublic::readSized);
        TpmuPublicParms.Rsa rsa = assertInstanceOf(TpmuPublicParms.Rsa.class, pub.parameters());
        assertEquals(2048, rsa.keyBits());
        assertEquals(0, rsa.exponent());
        assertArrayEquals(bytes, sized(pub));
        assertArrayEquals(hex(RSA_PRIMARY_NAME), pub.name());
        RSAPublicKey key = assertInstanceOf(RSAPublicKey.class, pub.toPublicKey());
        assertEquals(BigInteger.valueOf(65537), key.getPublicExponent());
        assertEquals(2048, key.getModulus().bitLength());
    }

    @Test
    void nameIsTheNameAlgDigestOfThePublicArea() throws Exception {
        TpmtPublic pub = new TpmtPublic(TpmAlg.SHA384, STORAGE, ECC_STORAGE.parameters());
        byte[] digest = MessageDigest.getInstance("SHA-384").digest(pub.toBytes());
        byte[] name = pub.name();
        assertArrayEquals(hex("000c"), Arrays.copyOf(name, 2));
        assertArrayEquals(digest, Arrays.copyOfRange(name, 2, name.length));
        TpmtPublic noName = new TpmtPublic(TpmAlg.NULL, 0, ECC_STORAGE.parameters());
        assertEquals(0, noName.name().length);
    }

    @Test
    void everyObjectTypeRoundTrips() {
        List<TpmtPublic> samples = List.of(ECC_STORAGE, readAll(hex(RSA_PRIMARY_PUB), TpmtPublic::readSized),
                new TpmtPublic(TpmAlg.SHA1, TpmaObject.SIGN_ENCRYPT, hex("00112233"),
                        new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.hmac(TpmAlg.SHA256)),
                        new TpmuPublicId.Digest(hex("aabbcc"))),
                new TpmtPublic(TpmAlg.SHA256, TpmaObject.USER_WITH_AUTH,
                        new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.NULL)),
                new TpmtPublic(TpmAlg.SHA512, TpmaObject.DECRYPT, new byte[0],
                        new TpmuPublicParms.SymCipher(new TpmtSymDefObject.Cipher(TpmAlg.AES, 256, TpmAlg.NULL)),
                        new TpmuPublicId.Digest(new byte[32])),
                new TpmtPublic(TpmAlg.SHA256, TpmaObject.SIGN_ENCRYPT,
                        new TpmuPublicParms.Rsa(TpmtAsymScheme.rsapss(TpmAlg.SHA256), 3072)));
        for (TpmtPublic pub : samples) {
            roundTrip(pub, TpmtPublic::read);
            WireChecks.everyTruncationFails(sized(pub), TpmtPublic::readSized);
        }
    }

    @Test
    void rejectsAnUnknownObjectType() {
        byte[] bytes = ECC_STORAGE.toBytes();
        bytes[1] = 0x06; // AES is an algorithm but not an object type
        assertRejected(bytes, TpmtPublic::read, "TPMT_PUBLIC");
    }

    @Test
    void rejectsANonHashNameAlg() {
        byte[] bytes = ECC_STORAGE.toBytes();
        bytes[3] = 0x06;
        assertRejected(bytes, TpmtPublic::read, "TPMT_PUBLIC");
    }

    @Test
    void rejectsParametersOfAnotherType() {
        byte[] bytes = ECC_STORAGE.toBytes();
        bytes[1] = 0x08; // claims KEYEDHASH: the ECC parameters start with AES, not a keyed hash scheme
        assertRejected(bytes, TpmtPublic::read, "TPMT_KEYEDHASH_SCHEME");
    }

    @Test
    void rejectsASizeThatDoesNotMatchTheContent() {
        byte[] bytes = sized(ECC_STORAGE);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        longer[1]++;
        assertRejected(longer, TpmtPublic::readSized, "TPM2B_PUBLIC");
        byte[] empty = hex("0000");
        assertRejected(empty, TpmtPublic::readSized, "TPMT_PUBLIC");
    }

    @Test
    void rejectsAnOversizedModulus() {
        TpmWriter w = new TpmWriter();
        TpmAlg.RSA.marshal(w);
        TpmAlg.SHA256.marshal(w);
        w.u32(0).sized(new byte[0]);
        new TpmuPublicParms.Rsa(TpmtAsymScheme.NULL, 2048).marshal(w);
        w.sized(new byte[513]);
        assertRejected(w.toByteArray(), TpmtPublic::read, "TPM2B_PUBLIC_KEY_RSA");
    }

    @Test
    void constructorRejectsAUniqueOfAnotherType() {
        assertThrows(IllegalArgumentException.class, () -> new TpmtPublic(TpmAlg.SHA256, 0, new byte[0],
                ECC_STORAGE.parameters(), new TpmuPublicId.Rsa(new byte[256])));
        assertThrows(IllegalArgumentException.class, () -> new TpmtPublic(TpmAlg.RSA, 0,
                ECC_STORAGE.parameters()));
    }

    @Test
    void jcaKeysSurviveTheTripThroughAPublicArea() throws Exception {
        for (String curve : List.of("secp256r1", "secp384r1", "secp521r1")) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            assertSameKey(g.generateKeyPair().getPublic());
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        TpmtPublic pub = assertSameKey(g.generateKeyPair().getPublic());
        assertEquals(0, ((TpmuPublicParms.Rsa) pub.parameters()).exponent(), "65537 is written as 0");
        assertEquals(256, ((TpmuPublicId.Rsa) pub.unique()).modulus().length);
        g.initialize(new RSAKeyGenParameterSpec(1024, BigInteger.valueOf(3)));
        pub = assertSameKey(g.generateKeyPair().getPublic());
        assertEquals(3, ((TpmuPublicParms.Rsa) pub.parameters()).exponent());
    }

    @Test
    void ecCoordinatesArePaddedToTheCurveSize() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp521r1"));
        TpmtPublic pub = TpmtPublic.ofPublicKey(g.generateKeyPair().getPublic(), TpmAlg.SHA256, 0);
        TpmsEccPoint point = ((TpmuPublicId.Ecc) pub.unique()).point();
        assertEquals(66, point.x().length);
        assertEquals(66, point.y().length);
    }

    @Test
    void bouncyCastleKeysAreRecognisedByTheirCurve() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec("P-384"));
        TpmtPublic pub = TpmtPublic.ofPublicKey(g.generateKeyPair().getPublic(), TpmAlg.SHA256, 0);
        assertEquals(TpmEccCurve.NIST_P384, ((TpmuPublicParms.Ecc) pub.parameters()).curveId());
        g.initialize(new ECGenParameterSpec("secp256k1"));
        PublicKey k1 = g.generateKeyPair().getPublic();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> TpmtPublic.ofPublicKey(k1, TpmAlg.SHA256, 0));
        assertTrue(e.getMessage().contains("curve"), e.getMessage());
    }

    @Test
    void keysWithoutAJcaFormSayWhy() {
        IllegalStateException template = assertThrows(IllegalStateException.class, ECC_STORAGE::toPublicKey);
        assertTrue(template.getMessage().contains("template"), template.getMessage());
        TpmtPublic hmac = new TpmtPublic(TpmAlg.SHA256, 0,
                new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.hmac(TpmAlg.SHA256)));
        assertThrows(UnsupportedOperationException.class, hmac::toPublicKey);
        TpmtPublic bn = new TpmtPublic(TpmAlg.SHA256, 0, new byte[0],
                new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdsa(TpmAlg.SHA256), TpmEccCurve.BN_P256),
                new TpmuPublicId.Ecc(new TpmsEccPoint(new byte[32], new byte[32])));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, bn::toPublicKey);
        assertTrue(e.getMessage().contains("BN_P256"), e.getMessage());
    }

    private static TpmtPublic assertSameKey(PublicKey key) {
        TpmtPublic pub = TpmtPublic.ofPublicKey(key, TpmAlg.SHA256, TpmaObject.SIGN_ENCRYPT);
        TpmtPublic back = roundTrip(pub, TpmtPublic::read);
        assertEquals(key, back.toPublicKey());
        return pub;
    }
}
