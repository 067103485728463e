package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DLTaggedObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tss.keys.Tss2KeyFile.KeyType;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * The key-file format against files written by tpm2-openssl 1.1.1 ({@code openssl genpkey
 * -provider tpm2}) and tpm2-tools 5.4 ({@code tpm2_encodeobject}) on swtpm (see
 * resources/keyfiles/README.md), and against files built here with Bouncy Castle.
 */
class Tss2KeyFileTest {
    private static final int OWNER = 0x40000001;
    private static final int PERSISTENT = 0x81000001;
    private static final int TPM_ALG_RSA = 0x0001;
    private static final int TPM_ALG_ECC = 0x0023;

    static String fixture(String name) {
        try (InputStream in = Tss2KeyFileTest.class.getResourceAsStream("/keyfiles/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] derOf(String pem) {
        String body = pem.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static Tss2KeyFile parse(String name) throws KeyFileFormatException {
        return Tss2KeyFile.fromPem(fixture(name));
    }

    /** The TPMT_PUBLIC type inside the TPM2B_PUBLIC, after checking the TPM2B size covers the rest. */
    private static int publicType(Tss2KeyFile key) {
        byte[] pub = key.pubkey();
        assertEquals(pub.length - 2, ((pub[0] & 0xff) << 8) | (pub[1] & 0xff), "TPM2B_PUBLIC size");
        return ((pub[2] & 0xff) << 8) | (pub[3] & 0xff);
    }

    @Test
    void opensslEcKeyWithoutPassword() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256.pem");
        assertEquals(KeyType.LOADABLE, key.type());
        assertEquals("2.23.133.10.1.3", key.type().oid());
        assertEquals(Optional.of(true), key.emptyAuth());
        assertFalse(key.needsPassword());
        assertEquals(OWNER, key.parent());
        assertEquals(TPM_ALG_ECC, publicType(key));
        assertEquals(88, key.pubkey().length);
        assertEquals(128, key.privkey().length);
        assertEquals(Optional.empty(), key.description());
    }

    @Test
    void opensslRsaKey() throws Exception {
        Tss2KeyFile key = parse("openssl-rsa-2048.pem");
        assertEquals(Optional.of(true), key.emptyAuth());
        assertEquals(OWNER, key.parent());
        assertEquals(TPM_ALG_RSA, publicType(key));
        assertEquals(2 + 0x116, key.pubkey().length);
    }

    @Test
    void opensslKeyWithPasswordSaysEmptyAuthFalse() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256-userauth.pem");
        assertEquals(Optional.of(false), key.emptyAuth());
        assertTrue(key.needsPassword());
        assertEquals(OWNER, key.parent());
        assertEquals(TPM_ALG_ECC, publicType(key));
    }

    @Test
    void encodeobjectKeyUnderPersistentParent() throws Exception {
        // tpm2_create without -p, tpm2_encodeobject without -p: the key has no password, yet the
        // file says emptyAuth FALSE (tpm2-tools issue #3458), so a loader must try the empty one
        Tss2KeyFile key = parse("encodeobject-ec-p256-81000001.pem");
        assertEquals(Optional.of(false), key.emptyAuth());
        assertTrue(key.needsPassword());
        assertEquals(PERSISTENT, key.parent());
        assertEquals(TPM_ALG_ECC, publicType(key));
    }

    @Test
    void encodeobjectWithKeyAuthFlagWritesEmptyAuthTrue() throws Exception {
        // tpm2_create -p pw, tpm2_encodeobject -p: tpm2-tools 5.4 inverts the flag
        Tss2KeyFile key = parse("encodeobject-ec-p256-81000001-key-auth.pem");
        assertEquals(Optional.of(true), key.emptyAuth());
        assertFalse(key.needsPassword());
        assertEquals(PERSISTENT, key.parent());
    }

    static Stream<String> fixtures() {
        return Stream.of("openssl-ec-p256.pem", "openssl-rsa-2048.pem", "openssl-ec-p256-userauth.pem",
                "encodeobject-ec-p256-81000001.pem", "encodeobject-ec-p256-81000001-key-auth.pem");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void reEncodesByteIdentically(String name) throws Exception {
        String pem = fixture(name);
        Tss2KeyFile key = Tss2KeyFile.fromPem(pem);
        assertEquals(pem, key.toPem());
        assertArrayEquals(derOf(pem), key.toDer());
        assertEquals(key, Tss2KeyFile.fromDer(key.toDer()));
        assertEquals(key, Tss2KeyFile.read(key.toDer()));
        assertEquals(key, Tss2KeyFile.read(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void loadableWritesWhatTpm2OpensslWrites() throws Exception {
        for (String name : new String[] {"openssl-ec-p256.pem", "openssl-ec-p256-userauth.pem"}) {
            Tss2KeyFile read = parse(name);
            Tss2KeyFile made = Tss2KeyFile.loadable(OWNER, read.pubkey(), read.privkey(), !read.needsPassword());
            assertEquals(fixture(name), made.toPem());
        }
    }

    @Test
    void readsFromPath(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, fixture("openssl-ec-p256.pem"));
        Path der = dir.resolve("key.der");
        Files.write(der, derOf(fixture("openssl-ec-p256.pem")));
        assertEquals(parse("openssl-ec-p256.pem"), Tss2KeyFile.read(pem));
        assertEquals(parse("openssl-ec-p256.pem"), Tss2KeyFile.read(der));
        Path big = dir.resolve("big.pem");
        Files.write(big, new byte[Tss2KeyFile.MAX_FILE_SIZE + 1]);
        assertThrows(KeyFileFormatException.class, () -> Tss2KeyFile.read(big));
    }

    @Test
    void explanatoryTextAroundThePemBlockIsIgnored() throws Exception {
        String pem = fixture("openssl-ec-p256.pem");
        assertEquals(parse("openssl-ec-p256.pem"), Tss2KeyFile.fromPem("my VPN key\r\n" + pem + "\n\n"));
        assertEquals(parse("openssl-ec-p256.pem"), Tss2KeyFile.fromPem(pem.replace("\n", "\r\n")));
    }

    @Test
    void descriptionRoundTripsAsExplicitTag4() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256.pem").withDescription("vpn key \u00e9\u4e2d");
        byte[] der = key.toDer();
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        assertEquals(6, seq.size());
        DERTaggedObject expected = new DERTaggedObject(true, 4, new DERUTF8String("vpn key \u00e9\u4e2d"));
        assertEquals(expected, seq.getObjectAt(2));
        Tss2KeyFile back = Tss2KeyFile.fromPem(key.toPem());
        assertEquals(Optional.of("vpn key \u00e9\u4e2d"), back.description());
        assertEquals(key, back);
        assertEquals(Optional.empty(), key.withDescription(null).description());
    }

    @Test
    void absentEmptyAuthIsKeptAbsentAndMayNeedAPassword() throws Exception {
        Tss2KeyFile base = parse("openssl-ec-p256.pem");
        byte[] der = build(oid(KeyType.LOADABLE.oid()), new ASN1Integer(OWNER),
                new DEROctetString(base.pubkey()), new DEROctetString(base.privkey()));
        Tss2KeyFile key = Tss2KeyFile.fromDer(der);
        assertEquals(Optional.empty(), key.emptyAuth());
        assertTrue(key.needsPassword());
        assertArrayEquals(der, key.toDer());
    }

    @Test
    void toStringHidesThePrivateBlob() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256.pem");
        String text = key.toString();
        assertTrue(text.contains("hidden"), text);
        assertFalse(text.contains(HexFormat.of().formatHex(key.privkey(), 4, 20)), text);
        assertFalse(text.toLowerCase().contains(HexFormat.of().formatHex(key.privkey(), 4, 20)), text);
    }

    @Test
    void blobsAreCopied() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256.pem");
        key.privkey()[5] ^= 1;
        key.pubkey()[5] ^= 1;
        assertEquals(parse("openssl-ec-p256.pem"), key);
    }

    @Test
    void equalityFollowsContent() throws Exception {
        Tss2KeyFile a = parse("openssl-ec-p256.pem");
        assertEquals(a, parse("openssl-ec-p256.pem"));
        assertEquals(a.hashCode(), parse("openssl-ec-p256.pem").hashCode());
        assertNotEquals(a, parse("openssl-ec-p256-userauth.pem"));
        assertNotEquals(a, a.withDescription("x"));
    }

    @Test
    void constructorRefusesBadFields() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256.pem");
        byte[] pub = key.pubkey();
        byte[] priv = key.privkey();
        assertThrows(IllegalArgumentException.class, () -> Tss2KeyFile.loadable(0x80000000, pub, priv, true));
        assertThrows(IllegalArgumentException.class, () -> Tss2KeyFile.loadable(0x40000009, pub, priv, true));
        assertThrows(IllegalArgumentException.class, () -> Tss2KeyFile.loadable(OWNER, priv, Arrays.copyOf(pub,
                pub.length - 1), true));
        assertThrows(IllegalArgumentException.class, () -> Tss2KeyFile.loadable(OWNER, new byte[] {0, 0}, priv, true));
        assertThrows(IllegalArgumentException.class, () -> key.withDescription("\ud800"));
        assertEquals(0x8100ffff, Tss2KeyFile.loadable(0x8100ffff, pub, priv, true).parent());
        assertEquals(0x4000000c, Tss2KeyFile.loadable(0x4000000c, pub, priv, true).parent());
    }

    @Test
    void berIsAcceptedAndWrittenBackAsOpensslWritesIt() throws Exception {
        Tss2KeyFile key = parse("openssl-ec-p256.pem");
        byte[] openssl = key.toDer();
        assertEquals(0x01, openssl[15], "OpenSSL writes the emptyAuth TRUE octet as 0x01");
        byte[] derTrue = openssl.clone();
        derTrue[15] = (byte) 0xff; // what DER (and Bouncy Castle) writes
        byte[] longLength = new byte[openssl.length + 1]; // SEQUENCE length 81 f0 -> 82 00 f0
        longLength[0] = 0x30;
        longLength[1] = (byte) 0x82;
        System.arraycopy(openssl, 2, longLength, 3, openssl.length - 2);
        byte[] indefinite = new byte[openssl.length + 1]; // 30 80 ... 00 00
        indefinite[0] = 0x30;
        indefinite[1] = (byte) 0x80;
        System.arraycopy(openssl, 3, indefinite, 2, openssl.length - 3);
        for (byte[] ber : new byte[][] {derTrue, longLength, indefinite}) {
            Tss2KeyFile read = Tss2KeyFile.fromDer(ber);
            assertEquals(key, read);
            assertArrayEquals(openssl, read.toDer());
        }
    }

    // --- files with fields tpmauth does not support yet, built with BC ---

    static Stream<Arguments> unsupported() throws Exception {
        Tss2KeyFile base = parse("openssl-ec-p256.pem");
        ASN1Encodable pub = new DEROctetString(base.pubkey());
        ASN1Encodable priv = new DEROctetString(base.privkey());
        ASN1Encodable parent = new ASN1Integer(OWNER);
        ASN1Encodable loadable = oid(KeyType.LOADABLE.oid());
        ASN1Encodable policy = new DERSequence(new DERSequence(new ASN1Encodable[] {
            new DERTaggedObject(true, 0, new ASN1Integer(0x16f)), // TPM_CC_PolicyLocality
            new DERTaggedObject(true, 1, new DEROctetString(new byte[36]))}));
        ASN1Encodable authPolicy = new DERSequence(new DERSequence(new ASN1Encodable[] {
            new DERTaggedObject(true, 0, new DERUTF8String("pcr policy")), new DERTaggedObject(true, 1, policy)}));
        return Stream.of(
                Arguments.of("[1] policy", build(loadable, explicit(0, ASN1Boolean.TRUE), explicit(1, policy), parent,
                        pub, priv), "key file uses the policy command TPM2_PolicyLocality ([1] policy), which tpmauth does not "
                        + "support yet"),
                Arguments.of("[2] secret", build(loadable, explicit(2, new DEROctetString(new byte[16])), parent, pub,
                        priv), "import secret ([2] secret)"),
                Arguments.of("[3] authPolicy", build(loadable, explicit(3, authPolicy), parent, pub, priv),
                        "uses the policy command TPM2_PolicyLocality ([3] authPolicy element 0)"),
                Arguments.of("[5] rsaParent", build(loadable, explicit(5, ASN1Boolean.TRUE), parent, pub, priv),
                        "([5] rsaParent)"),
                Arguments.of("[6] unknown", build(loadable, explicit(6, DERNull.INSTANCE), parent, pub, priv),
                        "optional field [6]"),
                Arguments.of("importable", build(oid("2.23.133.10.1.4"), explicit(2, new DEROctetString(new byte[16])),
                        parent, pub, priv), "key file holds an importable key for TPM2_Import (2.23.133.10.1.4) and carries an import"
                                + " secret ([2] secret), which tpmauth does not support yet"));
    }

    @Test
    void sealedFileWithPcrAndAuthValuePolicyRoundTrips() throws Exception {
        Tss2KeyFile base = parse("openssl-ec-p256.pem");
        List<TpmsPcrSelection> pcrs = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7));
        Tss2KeyFile sealed = Tss2KeyFile.sealed(OWNER, base.pubkey(), base.privkey(), false,
                List.of(TpmPolicy.pcr(pcrs, new byte[32]), TpmPolicy.authValue()));
        Tss2KeyFile back = Tss2KeyFile.fromDer(sealed.toDer());
        assertEquals(sealed, back);
        assertEquals(pcrs.toString(), back.policy().get(0).pcrs().toString());
        assertEquals("PolicyPCR(sha256:[0, 7])", back.policy().get(0).toString(),
                back.policy().toString());
        // openssl_tpm2_engine's layout: TPML_PCR_SELECTION (count 1, sha256, 3-byte bitmap 0x81 0 0) || digest
        byte[] expected = new byte[4 + 2 + 1 + 3 + 32];
        expected[3] = 1;
        expected[5] = 0x0b;
        expected[6] = 3;
        expected[7] = (byte) 0x81;
        assertArrayEquals(expected, back.policy().get(0).commandPolicy());
    }

    /**
     * A key under an authorized policy as openssl_tpm2_engine lays it out, built with BC: [1] starts with
     * PolicyAuthorize (TPM2B_PUBLIC || TPM2B_DIGEST policyRef || TPMT_SIGNATURE NULL), [3] holds signed
     * policies (one named, one not) ending with a PolicyAuthorize that carries the signature.
     */
    @Test
    void authorizedPolicyAndAuthPolicyFieldsAreReadAndWrittenByteForByte() throws Exception {
        Tss2KeyFile base = parse("openssl-ec-p256.pem");
        TpmtPublic signer = TpmtPublic.readSized(
                new TpmReader(base.pubkey()));
        byte[] signerArea = TpmWriter.marshal(signer::marshalSized);
        byte[] nullSignature = TpmWriter.marshal(out -> out.sized(new byte[] {7}).u16(0x10));
        byte[] ecdsa = TpmWriter.marshal(out -> out.sized(new byte[] {7}).u16(0x18).u16(0x0b)
                .sized(new byte[32]).sized(new byte[32]));
        byte[] pcr = TpmPolicy.pcr(List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7)), new byte[32]).commandPolicy();
        ASN1Encodable keyPolicy = new DERSequence(new ASN1Encodable[] {
            policyElement(0x16a, concat(signerArea, nullSignature)), policyElement(0x16b, new byte[0])});
        ASN1Encodable signedPolicy = new DERSequence(new ASN1Encodable[] {
            policyElement(0x17f, pcr), policyElement(0x16a, concat(signerArea, ecdsa))});
        ASN1Encodable authPolicy = new DERSequence(new ASN1Encodable[] {
            new DERSequence(new ASN1Encodable[] {explicit(0, new DERUTF8String("kernel 6.1")), explicit(1, signedPolicy)}),
            new DERSequence(new ASN1Encodable[] {explicit(1, signedPolicy)})});
        byte[] der = build(oid(KeyType.LOADABLE.oid()), explicit(1, keyPolicy), explicit(3, authPolicy),
                new ASN1Integer(OWNER), new DEROctetString(base.pubkey()), new DEROctetString(base.privkey()));

        Tss2KeyFile key = Tss2KeyFile.fromDer(der);
        assertEquals(2, key.policy().size());
        assertEquals(TpmAlg.NULL, key.policy().get(0).signature().sigAlg());
        assertArrayEquals(signer.name(), key.policy().get(0).signer().name());
        assertArrayEquals(new byte[] {7}, key.policy().get(0).policyRef());
        assertEquals(2, key.authPolicy().size());
        assertEquals(Optional.of("kernel 6.1"), key.authPolicy().get(0).name());
        assertEquals(Optional.empty(), key.authPolicy().get(1).name());
        assertEquals(TpmAlg.ECDSA, key.authPolicy().get(0).authorization().signature().sigAlg());
        assertEquals(List.of(new TpmPolicy(0x17f, pcr)), key.authPolicy().get(0).approved());
        assertArrayEquals(der, key.toDer());
        TpmAuthPolicy first = key.authPolicy().get(0);
        assertEquals(first, TpmAuthPolicy.fromPem(first.toPem()));
        assertEquals(List.of(first, key.authPolicy().get(1)), key.withSignedPolicy(first).authPolicy(),
                "adding a signed policy already there moves it to the front, without a copy");
    }

    @Test
    void signedPoliciesNeedAnAuthorizedKeyAndEndWithTheirOnlyPolicyAuthorize() throws Exception {
        Tss2KeyFile plain = parse("openssl-ec-p256.pem");
        TpmAuthPolicy any = new TpmAuthPolicy(Optional.empty(), List.of(TpmPolicy.authorize(
                TpmtPublic.readSized(new TpmReader(plain.pubkey())),
                new byte[0], new TpmtSignature.Null())));
        assertThrows(IllegalArgumentException.class, () -> plain.withSignedPolicy(any));
        assertThrows(IllegalArgumentException.class, () -> new TpmAuthPolicy(Optional.empty(),
                List.of(TpmPolicy.authValue())));
        assertThrows(IllegalArgumentException.class, () -> new TpmAuthPolicy(Optional.empty(),
                List.of(any.authorization(), any.authorization())));
        KeyFileFormatException e = assertThrows(KeyFileFormatException.class, () -> TpmAuthPolicy.fromPem(
                "-----BEGIN TSS2 PRIVATE KEY-----\nMAA=\n-----END TSS2 PRIVATE KEY-----\n"));
        assertTrue(e.getMessage().contains("not 'TPMAUTH SIGNED POLICY'"), e.getMessage());
    }

    private static ASN1Encodable policyElement(int commandCode, byte[] commandPolicy) {
        return new DERSequence(new ASN1Encodable[] {explicit(0, new ASN1Integer(commandCode)),
            explicit(1, new DEROctetString(commandPolicy))});
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void malformedPolicyPcrIsAFormatError() throws Exception {
        Tss2KeyFile base = parse("openssl-ec-p256.pem");
        ASN1Encodable policy = new DERSequence(new DERSequence(new ASN1Encodable[] {
            new DERTaggedObject(true, 0, new ASN1Integer(0x17f)),
            new DERTaggedObject(true, 1, new DEROctetString(new byte[] {0, 0, 0, 1, 0}))}));
        byte[] der = build(oid(KeyType.SEALED.oid()), explicit(1, policy), new ASN1Integer(OWNER),
                new DEROctetString(base.pubkey()), new DEROctetString(base.privkey()));
        KeyFileFormatException e = assertThrows(KeyFileFormatException.class, () -> Tss2KeyFile.fromDer(der));
        assertFalse(e instanceof UnsupportedKeyFileException);
        assertTrue(e.getMessage().contains("malformed TPM2_PolicyPCR commandPolicy"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupported")
    void unsupportedFieldsAreRefusedByName(String what, byte[] der, String message) {
        UnsupportedKeyFileException e = assertThrows(UnsupportedKeyFileException.class, () -> Tss2KeyFile.fromDer(der));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().endsWith("which tpmauth does not support yet"), e.getMessage());
        assertThrows(UnsupportedKeyFileException.class, () -> Tss2KeyFile.fromPem(pem(der)));
    }

    // --- malformed inputs ---

    static Stream<Arguments> malformedDer() throws Exception {
        Tss2KeyFile base = parse("openssl-ec-p256.pem");
        byte[] good = base.toDer();
        ASN1Encodable pub = new DEROctetString(base.pubkey());
        ASN1Encodable priv = new DEROctetString(base.privkey());
        ASN1Encodable owner = new ASN1Integer(OWNER);
        ASN1Encodable loadable = oid(KeyType.LOADABLE.oid());
        ASN1Encodable yes = explicit(0, ASN1Boolean.TRUE);
        byte[] pubBytes = base.pubkey();
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("garbage", "not a key at all".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("just a SEQUENCE tag", new byte[] {0x30}),
                Arguments.of("trailing byte", Arrays.copyOf(good, good.length + 1)),
                Arguments.of("truncated", Arrays.copyOf(good, good.length - 1)),
                Arguments.of("not a SEQUENCE", new ASN1Integer(5).getEncoded()),
                Arguments.of("empty SEQUENCE", build()),
                Arguments.of("wrong OID", build(oid("1.2.840.113549.1.1.1"), yes, owner, pub, priv)),
                Arguments.of("old TSS2 KEY BLOB OID", build(oid("2.23.133.10.2"), yes, owner, pub, priv)),
                Arguments.of("OID missing", build(yes, owner, pub, priv)),
                Arguments.of("implicit [0]", build(loadable, new DERTaggedObject(false, 0, ASN1Boolean.TRUE), owner,
                        pub, priv)),
                Arguments.of("[0] with two elements", build(loadable, new DLTaggedObject(false, 0, new DERSequence(
                        new ASN1Encodable[] {ASN1Boolean.TRUE, ASN1Boolean.TRUE})), owner, pub, priv)),
                Arguments.of("application tag", build(loadable, new DERTaggedObject(true, BERTags.APPLICATION, 0,
                        ASN1Boolean.TRUE), owner, pub, priv)),
                Arguments.of("[0] holds an INTEGER", build(loadable, explicit(0, new ASN1Integer(1)), owner, pub, priv)),
                Arguments.of("[4] holds an OCTET STRING", build(loadable, explicit(4, new DEROctetString(new byte[1])),
                        owner, pub, priv)),
                Arguments.of("[4] invalid UTF-8", build(loadable, explicit(4, ASN1Primitive.fromByteArray(
                        new byte[] {0x0c, 0x02, (byte) 0xc3, 0x28})), owner, pub, priv)),
                Arguments.of("[0] twice", build(loadable, yes, yes, owner, pub, priv)),
                Arguments.of("[4] before [0]", build(loadable, explicit(4, new DERUTF8String("d")), yes, owner, pub,
                        priv)),
                Arguments.of("[1] holds a BOOLEAN", build(loadable, explicit(1, ASN1Boolean.TRUE), owner, pub, priv)),
                Arguments.of("negative parent", build(loadable, yes, new ASN1Integer(-1), pub, priv)),
                Arguments.of("parent over 32 bits", build(loadable, yes, new ASN1Integer(0x140000001L), pub, priv)),
                Arguments.of("huge parent", build(loadable, yes, new ASN1Integer(BigInteger.TWO.pow(900)), pub, priv)),
                Arguments.of("parent 0", build(loadable, yes, new ASN1Integer(0), pub, priv)),
                Arguments.of("transient parent", build(loadable, yes, new ASN1Integer(0x80000001L), pub, priv)),
                Arguments.of("parent as OCTET STRING", build(loadable, yes, new DEROctetString(new byte[4]), pub, priv)),
                Arguments.of("parent missing", build(loadable, yes, pub, priv)),
                Arguments.of("privkey missing", build(loadable, yes, owner, pub)),
                Arguments.of("extra field after privkey", build(loadable, yes, owner, pub, priv, new ASN1Integer(1))),
                Arguments.of("pubkey size too short", build(loadable, yes, owner, new DEROctetString(
                        Arrays.copyOf(pubBytes, pubBytes.length - 1)), priv)),
                Arguments.of("pubkey with trailing byte", build(loadable, yes, owner, new DEROctetString(
                        Arrays.copyOf(pubBytes, pubBytes.length + 1)), priv)),
                Arguments.of("empty privkey", build(loadable, yes, owner, pub, new DEROctetString(new byte[0]))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedDer")
    void malformedDerIsAFormatError(String what, byte[] der) throws Exception {
        assertFormatError(() -> Tss2KeyFile.fromDer(der));
        assertFormatError(() -> Tss2KeyFile.read(der));
        if (der.length > 0) {
            assertFormatError(() -> Tss2KeyFile.fromPem(pem(der)));
        }
    }

    static Stream<Arguments> malformedPem() {
        String good = fixture("openssl-ec-p256.pem");
        String cert = good.replace("TSS2 PRIVATE KEY", "CERTIFICATE");
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("no PEM", "hello"),
                Arguments.of("wrong label", good.replace("TSS2 PRIVATE KEY", "PRIVATE KEY")),
                Arguments.of("old label", good.replace("TSS2 PRIVATE KEY", "TSS2 KEY BLOB")),
                Arguments.of("END label differs", good.replace("END TSS2 PRIVATE KEY", "END PRIVATE KEY")),
                Arguments.of("END missing", good.substring(0, good.indexOf("-----END"))),
                Arguments.of("truncated in base64", good.substring(0, good.length() / 2)),
                Arguments.of("base64 line missing", good.replaceFirst("\n[A-Za-z0-9+/]{64}\n", "\n")),
                Arguments.of("bad base64", good.replaceFirst("\n[A-Za-z0-9+/]", "\n*")),
                Arguments.of("headers", good.replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n")),
                Arguments.of("two blocks", good + good),
                Arguments.of("certificate first", cert + good),
                Arguments.of("only a certificate", cert),
                Arguments.of("too large", "x".repeat(Tss2KeyFile.MAX_FILE_SIZE + 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPem")
    void malformedPemIsAFormatError(String what, String pem) throws Exception {
        assertFormatError(() -> Tss2KeyFile.fromPem(pem));
        assertFormatError(() -> Tss2KeyFile.read(pem.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void everyTruncationIsAFormatError() throws Exception {
        String pem = fixture("openssl-rsa-2048.pem");
        byte[] der = derOf(pem);
        for (int n = 0; n < der.length; n++) {
            byte[] cut = Arrays.copyOf(der, n);
            assertFormatError(() -> Tss2KeyFile.fromDer(cut));
        }
        for (int n = 0; n < pem.length() - 1; n++) {
            String cut = pem.substring(0, n);
            assertFormatError(() -> Tss2KeyFile.fromPem(cut));
        }
    }

    /** Every one-byte change of a real file parses to a key that round-trips, or is a format error. */
    @Test
    void everyByteChangeEitherParsesOrIsAFormatError() throws Exception {
        byte[] der = derOf(fixture("openssl-ec-p256-userauth.pem"));
        int parsed = 0;
        for (int i = 0; i < der.length; i++) {
            for (int flip : new int[] {0x01, 0x80, 0xff}) {
                byte[] changed = der.clone();
                changed[i] ^= (byte) flip;
                try {
                    Tss2KeyFile key = Tss2KeyFile.fromDer(changed);
                    assertEquals(key, Tss2KeyFile.fromDer(key.toDer()));
                    parsed++;
                } catch (KeyFileFormatException e) {
                    assertMessageIsClean(e);
                }
            }
        }
        assertTrue(parsed > 0, "changes inside the blobs keep the file well-formed");
    }

    private static void assertFormatError(ThrowingCall call) throws Exception {
        KeyFileFormatException e = assertThrows(KeyFileFormatException.class, call::run);
        assertSame(KeyFileFormatException.class, e.getClass(), e.getMessage());
        assertMessageIsClean(e);
    }

    /** Error messages name the problem, never the key's blobs. */
    private static void assertMessageIsClean(KeyFileFormatException e) throws Exception {
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank());
        byte[] priv = parse("openssl-ec-p256-userauth.pem").privkey();
        String hex = HexFormat.of().formatHex(priv, 10, 18);
        assertFalse(message.toLowerCase().contains(hex), message);
        assertTrue(message.length() < 400, message);
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    private static ASN1ObjectIdentifier oid(String oid) {
        return new ASN1ObjectIdentifier(oid);
    }

    private static DERTaggedObject explicit(int tag, ASN1Encodable content) {
        return new DERTaggedObject(true, tag, content);
    }

    static byte[] build(ASN1Encodable... elements) throws IOException {
        return new DERSequence(elements).getEncoded(ASN1Encoding.DER);
    }

    private static String pem(byte[] der) {
        return "-----BEGIN TSS2 PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END TSS2 PRIVATE KEY-----\n";
    }
}
