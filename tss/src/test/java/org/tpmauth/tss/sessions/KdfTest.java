package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.agreement.kdf.ConcatenationKDFGenerator;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.KDFCounterBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KDFCounterParameters;
import org.bouncycastle.crypto.params.KDFParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.wire.TpmFormatException;

/** KDFa / KDFe known answers and cross-checks, and parameter encryption on its own. */
class KdfTest {
    private static final HexFormat HEX = HexFormat.of();
    /** The reference TPM's KDFa self-test (KdfTestData.h): key, label "KDFSELFTESTLABEL", contexts. */
    private static final byte[] KEY = HEX.parseHex("271fa08bbdc5060ec3dfa928ff9b73123a12da0c");
    private static final byte[] CONTEXT_U = HEX.parseHex("ce244f395dca7391");
    private static final byte[] CONTEXT_V = HEX.parseHex("da504031ddf12e83");

    @ParameterizedTest
    @CsvSource({
        "SHA1,   55b5a7184aa07423c47dae766c26a2377d7cf851",
        "SHA256, bb0259e1c8ba607e6a2cd704b69a902e9ade84c4",
        "SHA384, 1dce70c9113eb2dba47bd9cfc72bf46f45b09312",
        "SHA512, 8be2c1b85b78569b9fa759f5857c56d684810fd3"})
    void kdfaMatchesTheReferenceTpmSelfTest(TpmAlg hash, String expected) {
        assertEquals(expected, HEX.formatHex(Kdf.kdfa(hash, KEY, "KDFSELFTESTLABEL", CONTEXT_U, CONTEXT_V, 160)));
    }

    @Test
    void kdfaOverSeveralBlocksEqualsBouncyCastleCounterMode() {
        byte[] fixed = concat("ATH\0".getBytes(StandardCharsets.US_ASCII), CONTEXT_U, CONTEXT_V,
                new byte[] {0, 0, 0x03, 0x00});
        KDFCounterBytesGenerator bc = new KDFCounterBytesGenerator(new HMac(new SHA256Digest()));
        bc.init(new KDFCounterParameters(KEY, fixed, 32));
        byte[] expected = new byte[96];
        bc.generateBytes(expected, 0, expected.length);
        assertArrayEquals(expected, Kdf.kdfa(TpmAlg.SHA256, KEY, "ATH", CONTEXT_U, CONTEXT_V, 768));
    }

    @Test
    void kdfeEqualsBouncyCastleConcatenationKdf() {
        byte[] z = HEX.parseHex("aa".repeat(32));
        byte[] otherInfo = concat("SECRET\0".getBytes(StandardCharsets.US_ASCII), CONTEXT_U, CONTEXT_V);
        ConcatenationKDFGenerator bc = new ConcatenationKDFGenerator(new SHA256Digest());
        bc.init(new KDFParameters(z, otherInfo));
        byte[] expected = new byte[80];
        bc.generateBytes(expected, 0, expected.length);
        assertArrayEquals(expected, Kdf.kdfe(TpmAlg.SHA256, z, "SECRET", CONTEXT_U, CONTEXT_V, 640));
    }

    @Test
    void oddBitCountsMaskTheFirstByte() {
        for (int i = 0; i < 8; i++) {
            byte[] odd = Kdf.kdfa(TpmAlg.SHA256, KEY, "XOR" + i, CONTEXT_U, CONTEXT_V, 12);
            assertEquals(2, odd.length);
            assertEquals(0, odd[0] & 0xf0, "the 4 excess bits are cleared");
        }
        assertThrows(IllegalArgumentException.class, () -> Kdf.kdfa(TpmAlg.SHA256, KEY, "XOR", CONTEXT_U,
                CONTEXT_V, 0));
    }

    @Test
    void parameterEncryptionRoundTripsAndKeepsTheSizeInClear() {
        byte[] params = HEX.parseHex("0005" + "0102030405" + "ffee");
        for (TpmtSymDefObject sym : new TpmtSymDefObject[] {TpmtSymDefObject.AES_128_CFB,
                new TpmtSymDefObject.Xor(TpmAlg.SHA256)}) {
            byte[] enc = ParameterEncryption.apply(sym, new KeyedMac(TpmAlg.SHA256).keyedWith(KEY), CONTEXT_U, CONTEXT_V, params, true);
            assertArrayEquals(Arrays.copyOf(params, 2), Arrays.copyOf(enc, 2));
            assertArrayEquals(Arrays.copyOfRange(params, 7, 9), Arrays.copyOfRange(enc, 7, 9));
            assertFalse(Arrays.equals(params, enc), sym.toString());
            assertArrayEquals(params, ParameterEncryption.apply(sym, new KeyedMac(TpmAlg.SHA256).keyedWith(KEY), CONTEXT_U, CONTEXT_V, enc,
                    false));
        }
    }

    @Test
    void aKeptEngineGivesTheSameKdfaAsAFreshOneAndFollowsAKeyChange() {
        KeyedMac kept = new KeyedMac(TpmAlg.SHA256);
        byte[] other = Arrays.copyOf(KEY, KEY.length + 1);
        for (byte[] key : new byte[][] {KEY, KEY, other, new byte[0], KEY}) {
            assertArrayEquals(Kdf.kdfa(TpmAlg.SHA256, key, "CFB", CONTEXT_U, CONTEXT_V, 256),
                    Kdf.kdfa(kept.keyedWith(key), "CFB", CONTEXT_U, CONTEXT_V, 256));
        }
    }

    @Test
    void aTruncatedFirstParameterIsAFormatError() {
        assertThrows(TpmFormatException.class, () -> ParameterEncryption.apply(TpmtSymDefObject.AES_128_CFB,
                new KeyedMac(TpmAlg.SHA256).keyedWith(KEY), CONTEXT_U, CONTEXT_V, HEX.parseHex("00050102"), false));
        assertThrows(TpmFormatException.class, () -> ParameterEncryption.apply(TpmtSymDefObject.AES_128_CFB,
                new KeyedMac(TpmAlg.SHA256).keyedWith(KEY), CONTEXT_U, CONTEXT_V, new byte[1], false));
    }

    @Test
    void trailingZerosOfAuthValuesAreDropped() {
        assertArrayEquals(new byte[] {1, 0, 2}, SessionCrypto.trimAuth(new byte[] {1, 0, 2, 0, 0}));
        assertArrayEquals(new byte[0], SessionCrypto.trimAuth(new byte[] {0, 0}));
    }

    private static byte[] concat(byte[]... parts) {
        return SessionCrypto.concat(parts);
    }
}
