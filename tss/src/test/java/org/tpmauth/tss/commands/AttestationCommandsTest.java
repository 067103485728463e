package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuAttest;

/**
 * TPM2_Quote and TPM2_Certify on swtpm with keys that tpm2-tools made and persisted; signatures are
 * checked with JCA against the PEM public keys tpm2_readpublic writes.
 */
class AttestationCommandsTest {
    private static final int EC_SIGNER = 0x81000010;
    private static final int RSA_SIGNER = 0x81000012;
    private static final int STORAGE_KEY = 0x81000011;
    private static final int ENDORSEMENT_SIGNER = 0x81010010;
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;

    @BeforeAll
    static void persistKeys() {
        tpm = SWTPM.tpm();
        String signAttrs = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign";
        persist("o", "ecc256:ecdsa-sha256", signAttrs, EC_SIGNER);
        persist("o", "rsa2048:rsassa-sha256", signAttrs, RSA_SIGNER);
        persist("o", "rsa2048", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|decrypt", STORAGE_KEY);
        persist("e", "ecc256:ecdsa-sha256", signAttrs, ENDORSEMENT_SIGNER);
    }

    private static void persist(String hierarchy, String alg, String attributes, int handle) {
        Tools.run(SWTPM, "tpm2_createprimary", "-C", hierarchy, "-G", alg, "-a", attributes, "-c", "key.ctx");
        Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "key.ctx", TpmHandles.hex(handle));
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
    }

    /** tpm2_readpublic's "name" or "qualified name" of a key. */
    private static byte[] toolName(int handle, String which) {
        return Tools.hexField(Tools.run(SWTPM, "tpm2_readpublic", "-c", TpmHandles.hex(handle)), which);
    }

    private static PublicKey toolPublicKey(int handle, String algorithm) throws Exception {
        Tools.run(SWTPM, "tpm2_readpublic", "-c", TpmHandles.hex(handle), "-f", "pem", "-o", "pub.pem");
        String pem = Files.readString(SWTPM.workDir().resolve("pub.pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
    }

    private static boolean verifies(PublicKey key, TpmtSignature signature, byte[] signed) throws Exception {
        Signature verifier;
        byte[] sig;
        if (signature instanceof TpmtSignature.Ecc ecc) {
            assertEquals(TpmAlg.ECDSA, ecc.sigAlg());
            verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            ByteArrayOutputStream rs = new ByteArrayOutputStream();
            rs.write(fixed(ecc.r(), 32));
            rs.write(fixed(ecc.s(), 32));
            sig = rs.toByteArray();
        } else {
            TpmtSignature.Rsa rsa = assertInstanceOf(TpmtSignature.Rsa.class, signature);
            assertEquals(TpmAlg.RSASSA, rsa.sigAlg());
            verifier = Signature.getInstance("SHA256withRSA");
            sig = rsa.sig();
        }
        verifier.initVerify(key);
        verifier.update(signed);
        return verifier.verify(sig);
    }

    private static byte[] fixed(byte[] unsigned, int size) {
        byte[] v = new BigInteger(1, unsigned).toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(v.length, size);
        System.arraycopy(v, v.length - n, out, size - n, n);
        return out;
    }

    private static long firmwareVersion() {
        SortedMap<Integer, Integer> p = Capabilities.properties(tpm);
        return ((long) p.get(TpmPt.FIRMWARE_VERSION_1) << 32) | (p.get(TpmPt.FIRMWARE_VERSION_2) & 0xffffffffL);
    }

    @Test
    void quoteCarriesTheNonceAndThePcrDigestAndVerifies() throws Exception {
        tpm.execute(new PcrExtend(2, List.of(new TpmtHa(TpmAlg.SHA256,
                MessageDigest.getInstance("SHA-256").digest("boot".getBytes())))));
        List<TpmsPcrSelection> selection = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 1, 2));
        byte[] nonce = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

        Quote.Response q = tpm.execute(new Quote(EC_SIGNER, nonce, TpmtSigScheme.ecdsa(TpmAlg.SHA256), selection));
        TpmsAttest a = q.attest();
        assertEquals(TpmSt.ATTEST_QUOTE, a.type());
        assertArrayEquals(nonce, a.extraData());
        assertArrayEquals(toolName(EC_SIGNER, "qualified name"), a.qualifiedSigner());
        // a key outside the endorsement and platform hierarchies gets the firmware version and the
        // reset / restart counts obfuscated (Part 1, "privacy")
        assertTrue(a.firmwareVersion() != firmwareVersion());
        assertTrue(a.clockInfo().safe());
        assertArrayEquals(q.quoted(), a.toBytes(), "the parsed attestation re-marshals to the signed bytes");

        TpmuAttest.Quote info = assertInstanceOf(TpmuAttest.Quote.class, a.attested());
        assertEquals(selection.toString(), info.pcrSelect().toString());
        MessageDigest pcrDigest = MessageDigest.getInstance("SHA-256");
        Map<Integer, byte[]> values = PcrRead.readAll(tpm, selection).digests().get(TpmAlg.SHA256);
        values.values().forEach(pcrDigest::update);
        assertArrayEquals(pcrDigest.digest(), info.pcrDigest());

        PublicKey key = toolPublicKey(EC_SIGNER, "EC");
        assertTrue(verifies(key, q.signature(), q.quoted()));
        byte[] tampered = q.quoted().clone();
        tampered[tampered.length - 1] ^= 1;
        assertFalse(verifies(key, q.signature(), tampered));
    }

    @Test
    void quoteWithTheKeysOwnSchemeAndAnRsaKey() throws Exception {
        List<TpmsPcrSelection> selection = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 7),
                TpmsPcrSelection.of(TpmAlg.SHA1, 7));
        Quote.Response q = tpm.execute(new Quote(RSA_SIGNER, new byte[] {9}, TpmtSigScheme.NULL, selection));
        assertTrue(verifies(toolPublicKey(RSA_SIGNER, "RSA"), q.signature(), q.quoted()));
        assertEquals(2, ((TpmuAttest.Quote) q.attest().attested()).pcrSelect().size());
        assertArrayEquals(new byte[] {9}, q.attest().extraData());
    }

    @Test
    void certifySaysTheObjectIsLoadedHere() throws Exception {
        byte[] nonce = "certify-nonce".getBytes();
        Certify.Response c = tpm.execute(new Certify(STORAGE_KEY, EC_SIGNER, nonce, TpmtSigScheme.ecdsa(TpmAlg.SHA256)));
        TpmsAttest a = c.attest();
        assertEquals(TpmSt.ATTEST_CERTIFY, a.type());
        assertArrayEquals(nonce, a.extraData());
        TpmuAttest.Certify info = assertInstanceOf(TpmuAttest.Certify.class, a.attested());
        assertArrayEquals(toolName(STORAGE_KEY, "name"), info.name());
        assertArrayEquals(toolName(STORAGE_KEY, "qualified name"), info.qualifiedName());
        assertArrayEquals(toolName(EC_SIGNER, "qualified name"), a.qualifiedSigner());
        assertTrue(verifies(toolPublicKey(EC_SIGNER, "EC"), c.signature(), c.certifyInfo()));
    }

    @Test
    void anEndorsementKeySeesTheRealFirmwareVersion() throws Exception {
        Quote.Response q = tpm.execute(new Quote(ENDORSEMENT_SIGNER, new byte[0], TpmtSigScheme.NULL,
                List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0))));
        assertEquals(firmwareVersion(), q.attest().firmwareVersion());
        assertEquals(1, q.attest().clockInfo().resetCount(), "resetCount is not hidden either");
        assertTrue(verifies(toolPublicKey(ENDORSEMENT_SIGNER, "EC"), q.signature(), q.quoted()));
    }

    @Test
    void aKeyThatCannotSignIsRefused() {
        TpmResponseException e = assertThrows(TpmResponseException.class, () -> tpm.execute(new Quote(STORAGE_KEY,
                new byte[0], TpmtSigScheme.NULL, List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0)))));
        assertEquals(0x9C, e.baseCode()); // TPM_RC_KEY
    }
}
