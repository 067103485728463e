package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLTaggedObject;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.tpmauth.tss.keys.Tss2KeyFile.KeyType;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * DER and PEM coding of {@link Tss2KeyFile} with Bouncy Castle's ASN.1 and PEM classes. Every
 * failure of those classes on outside bytes becomes a {@link KeyFileFormatException}.
 */
final class Tss2KeyFileCodec {
    private static final int EMPTY_AUTH = 0;
    private static final int POLICY = 1;
    private static final int SECRET = 2;
    private static final int AUTH_POLICY = 3;
    private static final int DESCRIPTION = 4;
    private static final int RSA_PARENT = 5;
    /**
     * TRUE as OpenSSL's ASN1_BOOLEAN writes it, with the content octet 0x01 (BER; DER wants 0xFF),
     * so tpm2-openssl's and tpm2-tools' files come back byte for byte. BC has no constructor for
     * it but keeps the octet of a parsed one in DL encoding.
     */
    private static final ASN1Boolean OPENSSL_TRUE = ASN1Boolean.getInstance(parseConstant(new byte[] {1, 1, 1}));

    private Tss2KeyFileCodec() {
    }

    static Tss2KeyFile read(byte[] data) throws KeyFileFormatException {
        checkSize(data.length);
        if (data.length == 0) {
            throw new KeyFileFormatException("empty input; not a key file");
        }
        if (data[0] == BERTags.CONSTRUCTED + BERTags.SEQUENCE) {
            return fromDer(data);
        }
        String text = new String(data, StandardCharsets.ISO_8859_1);
        if (!text.contains("-----BEGIN ")) {
            throw new KeyFileFormatException("neither PEM (-----BEGIN " + Tss2KeyFile.PEM_LABEL
                    + "-----) nor DER (a SEQUENCE); not a key file");
        }
        return fromPem(text);
    }

    static Tss2KeyFile fromPem(String pem) throws KeyFileFormatException {
        return fromDer(pemContent(pem, Tss2KeyFile.PEM_LABEL, "a key file"));
    }

    /** The DER inside the one PEM block labelled {@code label} that {@code pem} holds. */
    private static byte[] pemContent(String pem, String label, String what) throws KeyFileFormatException {
        checkSize(pem.length());
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject block = nextBlock(reader);
            if (block == null) {
                throw new KeyFileFormatException("no PEM block found; " + what + " starts with -----BEGIN " + label
                        + "-----");
            }
            if (!label.equals(block.getType())) {
                throw new KeyFileFormatException("the PEM block is labelled '" + shorten(block.getType()) + "', not '"
                        + label + "'");
            }
            if (!block.getHeaders().isEmpty()) {
                throw new KeyFileFormatException("the PEM block has headers (e.g. encryption), which a "
                        + label + " never has");
            }
            if (nextBlock(reader) != null) {
                throw new KeyFileFormatException("more than one PEM block; " + what + " holds exactly one");
            }
            return block.getContent();
        } catch (KeyFileFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing a StringReader does not fail
        }
    }

    /** The next PEM block, or null at the end. */
    private static PemObject nextBlock(PemReader reader) throws KeyFileFormatException {
        try {
            return reader.readPemObject();
        } catch (IOException | RuntimeException e) { // BC: missing END line, bad base64 (DecoderException)
            throw new KeyFileFormatException("malformed PEM: " + e.getMessage());
        }
    }

    static Tss2KeyFile fromDer(byte[] der) throws KeyFileFormatException {
        checkSize(der.length);
        if (!(parse(der) instanceof ASN1Sequence seq)) {
            throw new KeyFileFormatException("not a TSS2 key file: the DER is not a SEQUENCE");
        }
        int i = 0;
        ASN1ObjectIdentifier oid = element(seq, i++, ASN1ObjectIdentifier.class, "type (OBJECT IDENTIFIER)");
        KeyType type = KeyType.ofOid(oid.getId()).orElseThrow(() -> new KeyFileFormatException("type "
                + shorten(oid.getId()) + " is not a TSS2 key type (a loadable key is " + KeyType.LOADABLE.oid() + ")"));
        List<String> unsupported = new ArrayList<>();
        if (type == KeyType.IMPORTABLE) {
            unsupported.add("holds " + type);
        }
        Optional<Boolean> emptyAuth = Optional.empty();
        Optional<String> description = Optional.empty();
        List<TpmPolicy> policy = List.of();
        List<TpmAuthPolicy> authPolicy = List.of();
        int previousTag = -1;
        while (i < seq.size() && seq.getObjectAt(i) instanceof ASN1TaggedObject tagged) {
            i++;
            int tag = explicitContextTag(tagged, previousTag);
            previousTag = tag;
            ASN1Encodable content = tagged.getExplicitBaseObject();
            switch (tag) {
                case EMPTY_AUTH -> emptyAuth = Optional.of(content(content, ASN1Boolean.class, tag, "BOOLEAN").isTrue());
                case POLICY -> policy = policies(content(content, ASN1Sequence.class, tag, "SEQUENCE OF TPMPolicy"),
                        "[1] policy", unsupported);
                case SECRET -> {
                    content(content, ASN1OctetString.class, tag, "OCTET STRING");
                    unsupported.add("carries an import secret ([2] secret)");
                }
                case AUTH_POLICY -> authPolicy = authPolicies(content(content, ASN1Sequence.class, tag,
                        "SEQUENCE OF TPMAuthPolicy"), unsupported);
                case DESCRIPTION -> description = Optional.of(utf8(content(content, ASN1UTF8String.class, tag,
                        "UTF8String")));
                case RSA_PARENT -> {
                    content(content, ASN1Boolean.class, tag, "BOOLEAN");
                    unsupported.add("asks for an RSA primary parent ([5] rsaParent)");
                }
                default -> unsupported.add("has an optional field [" + tag + "] from a newer version of the format");
            }
        }
        int parent = parent(element(seq, i++, ASN1Integer.class, "parent (INTEGER)"));
        byte[] pubkey = element(seq, i++, ASN1OctetString.class, "pubkey (OCTET STRING)").getOctets();
        byte[] privkey = element(seq, i++, ASN1OctetString.class, "privkey (OCTET STRING)").getOctets();
        if (i != seq.size()) {
            throw new KeyFileFormatException((seq.size() - i) + " unexpected element(s) after privkey");
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedKeyFileException("key file " + String.join(" and ", unsupported)
                    + ", which tpmauth does not support yet");
        }
        String problem = Tss2KeyFile.problem(parent, pubkey, privkey);
        if (problem != null) {
            throw new KeyFileFormatException(problem);
        }
        return new Tss2KeyFile(type, emptyAuth, parent, pubkey, privkey, description, policy, authPolicy);
    }

    /** The TPMAuthPolicy elements of the {@code [3] authPolicy} field. */
    private static List<TpmAuthPolicy> authPolicies(ASN1Sequence seq, List<String> unsupported)
            throws KeyFileFormatException {
        List<TpmAuthPolicy> signed = new ArrayList<>();
        for (int i = 0; i < seq.size(); i++) {
            if (!(seq.getObjectAt(i) instanceof ASN1Sequence element)) {
                throw new KeyFileFormatException("[3] authPolicy element " + i + " is not a TPMAuthPolicy SEQUENCE");
            }
            TpmAuthPolicy p = authPolicy(element, "[3] authPolicy element " + i, unsupported);
            if (p != null) { // null: a command tpmauth cannot run, named in unsupported
                signed.add(p);
            }
        }
        return signed;
    }

    /** One TPMAuthPolicy ::= SEQUENCE { name [0] EXPLICIT UTF8String OPTIONAL, policy [1] EXPLICIT SEQUENCE OF TPMPolicy }. */
    private static TpmAuthPolicy authPolicy(ASN1Sequence seq, String where, List<String> unsupported)
            throws KeyFileFormatException {
        Optional<String> name = Optional.empty();
        int i = 0;
        if (seq.size() == 2) {
            if (!(seq.getObjectAt(0) instanceof ASN1TaggedObject tagged)) {
                throw new KeyFileFormatException(where + ": name is not [0] EXPLICIT UTF8String");
            }
            name = Optional.of(utf8(content(explicitTag(tagged, 0), ASN1UTF8String.class, 0, "UTF8String")));
            i = 1;
        } else if (seq.size() != 1) {
            throw new KeyFileFormatException(where + " has " + seq.size() + " elements, not a name and a policy");
        }
        if (!(seq.getObjectAt(i) instanceof ASN1TaggedObject tagged)) {
            throw new KeyFileFormatException(where + ": policy is not [1] EXPLICIT SEQUENCE OF TPMPolicy");
        }
        List<TpmPolicy> policy = policies(content(explicitTag(tagged, 1), ASN1Sequence.class, 1,
                "SEQUENCE OF TPMPolicy"), where, unsupported);
        String problem = TpmAuthPolicy.problem(policy);
        if (problem != null && unsupported.isEmpty()) {
            throw new KeyFileFormatException(where + ": " + problem);
        }
        return problem == null ? new TpmAuthPolicy(name, policy) : null;
    }

    static TpmAuthPolicy authPolicyFromPem(String pem) throws KeyFileFormatException {
        byte[] der = pemContent(pem, TpmAuthPolicy.PEM_LABEL, "a signed policy file");
        if (!(parse(der) instanceof ASN1Sequence seq)) {
            throw new KeyFileFormatException("not a signed policy: the DER is not a TPMAuthPolicy SEQUENCE");
        }
        List<String> unsupported = new ArrayList<>();
        TpmAuthPolicy signed = authPolicy(seq, "the signed policy", unsupported);
        if (!unsupported.isEmpty()) {
            throw new UnsupportedKeyFileException("the signed policy " + String.join(" and ", unsupported)
                    + ", which tpmauth does not support yet");
        }
        return signed;
    }

    static String authPolicyToPem(TpmAuthPolicy signed) {
        return pem(TpmAuthPolicy.PEM_LABEL, encode(new DLSequence(authPolicyAsn1(signed))));
    }

    private static ASN1EncodableVector authPolicyAsn1(TpmAuthPolicy signed) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        signed.name().ifPresent(n -> v.add(new DLTaggedObject(true, 0, new DERUTF8String(n))));
        v.add(new DLTaggedObject(true, 1, policiesAsn1(signed.policy())));
        return v;
    }

    /** The TPMPolicy elements; a command tpmauth cannot run is named in {@code unsupported}. */
    private static List<TpmPolicy> policies(ASN1Sequence seq, String where, List<String> unsupported)
            throws KeyFileFormatException {
        List<TpmPolicy> policies = new ArrayList<>();
        for (int i = 0; i < seq.size(); i++) {
            if (!(seq.getObjectAt(i) instanceof ASN1Sequence p) || p.size() != 2
                    || !(p.getObjectAt(0) instanceof ASN1TaggedObject code)
                    || !(p.getObjectAt(1) instanceof ASN1TaggedObject body)) {
                throw new KeyFileFormatException(where + " element " + i + " is not a TPMPolicy SEQUENCE {"
                        + " commandCode [0], commandPolicy [1] }");
            }
            BigInteger ccValue = content(explicitTag(code, 0), ASN1Integer.class, 0, "INTEGER").getValue();
            if (ccValue.signum() < 0 || ccValue.bitLength() > 32) {
                throw new KeyFileFormatException(where + " element " + i + ": commandCode is not a TPM_CC");
            }
            int cc = ccValue.intValue();
            byte[] commandPolicy = content(explicitTag(body, 1), ASN1OctetString.class, 1, "OCTET STRING").getOctets();
            if (!TpmPolicy.SUPPORTED.contains(cc)) {
                unsupported.add("uses the policy command " + TpmCc.nameOf(cc) + " (" + where + ")");
                continue;
            }
            TpmPolicy policy = new TpmPolicy(cc, commandPolicy);
            try {
                policy.check();
            } catch (TpmFormatException e) {
                throw new KeyFileFormatException(where + " element " + i + ": malformed " + TpmCc.nameOf(cc)
                        + " commandPolicy: " + e.getMessage());
            }
            policies.add(policy);
        }
        return policies;
    }

    private static ASN1Encodable explicitTag(ASN1TaggedObject tagged, int expected) throws KeyFileFormatException {
        if (tagged.getTagClass() != BERTags.CONTEXT_SPECIFIC || tagged.getTagNo() != expected || !tagged.isExplicit()) {
            throw new KeyFileFormatException("TPMPolicy field is not [" + expected + "] EXPLICIT");
        }
        return tagged.getExplicitBaseObject();
    }

    /** One ASN.1 object filling the input exactly. */
    private static ASN1Primitive parse(byte[] der) throws KeyFileFormatException {
        if (der.length == 0) {
            throw new KeyFileFormatException("empty input");
        }
        // BC itself refuses nesting deeper than 32 levels (org.bouncycastle.asn1.max_cons_depth)
        // and, like OpenSSL's d2i, accepts BER (indefinite and long-form lengths, any non-zero TRUE)
        ASN1Primitive object;
        int trailing;
        try (ASN1InputStream in = new ASN1InputStream(der)) {
            object = in.readObject();
            trailing = in.available();
        } catch (IOException | RuntimeException e) { // BC: truncation, bad lengths, malformed INTEGER/OID ...
            throw new KeyFileFormatException("malformed ASN.1: " + e.getMessage());
        }
        if (trailing != 0) {
            throw new KeyFileFormatException(trailing + " trailing bytes after the key file's SEQUENCE");
        }
        return object;
    }

    private static int explicitContextTag(ASN1TaggedObject tagged, int previousTag) throws KeyFileFormatException {
        int tag = tagged.getTagNo();
        if (tagged.getTagClass() != BERTags.CONTEXT_SPECIFIC) {
            throw new KeyFileFormatException("unexpected non-context tag " + tag + " before parent");
        }
        if (tag <= previousTag) {
            throw new KeyFileFormatException("optional field [" + tag + "] is repeated or out of order");
        }
        if (!tagged.isExplicit()) {
            throw new KeyFileFormatException("optional field [" + tag + "] is not EXPLICIT-tagged");
        }
        return tag;
    }

    private static <T> T element(ASN1Sequence seq, int index, Class<T> type, String field)
            throws KeyFileFormatException {
        if (index >= seq.size()) {
            throw new KeyFileFormatException("the key file's SEQUENCE ends before " + field);
        }
        ASN1Encodable e = seq.getObjectAt(index);
        if (!type.isInstance(e)) {
            throw new KeyFileFormatException("expected " + field + " as element " + (index + 1) + ", found "
                    + kind(e));
        }
        return type.cast(e);
    }

    private static <T> T content(ASN1Encodable content, Class<T> type, int tag, String expected)
            throws KeyFileFormatException {
        if (!type.isInstance(content)) {
            throw new KeyFileFormatException("optional field [" + tag + "] holds " + kind(content) + ", not "
                    + expected);
        }
        return type.cast(content);
    }

    private static String utf8(ASN1UTF8String s) throws KeyFileFormatException {
        try {
            String text = s.getString();
            if (StandardCharsets.UTF_8.newEncoder().canEncode(text)) {
                return text;
            }
        } catch (IllegalArgumentException e) { // BC: "Invalid UTF-8 input"
            // reported below
        }
        throw new KeyFileFormatException("[4] description is not valid UTF-8");
    }

    private static int parent(ASN1Integer value) throws KeyFileFormatException {
        BigInteger v = value.getValue();
        if (v.signum() < 0 || v.bitLength() > 32) {
            throw new KeyFileFormatException("parent " + (v.bitLength() > 64 ? "(" + v.bitLength() + "-bit number)" : v)
                    + " is not a 32-bit TPM handle");
        }
        return v.intValue();
    }

    private static String kind(ASN1Encodable e) {
        if (e instanceof ASN1TaggedObject t) {
            return "tag [" + t.getTagNo() + "]";
        }
        if (e instanceof ASN1Sequence) {
            return "a SEQUENCE";
        }
        if (e instanceof ASN1Set) {
            return "a SET";
        }
        if (e instanceof ASN1Integer) {
            return "an INTEGER";
        }
        if (e instanceof ASN1OctetString) {
            return "an OCTET STRING";
        }
        if (e instanceof ASN1Boolean) {
            return "a BOOLEAN";
        }
        if (e instanceof ASN1ObjectIdentifier) {
            return "an OBJECT IDENTIFIER";
        }
        if (e instanceof ASN1Null) {
            return "a NULL";
        }
        if (e instanceof ASN1String) {
            return "a string";
        }
        return "a " + e.getClass().getSimpleName();
    }

    private static void checkSize(int size) throws KeyFileFormatException {
        if (size > Tss2KeyFile.MAX_FILE_SIZE) {
            throw new KeyFileFormatException("more than " + Tss2KeyFile.MAX_FILE_SIZE + " bytes; not a key file");
        }
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    static byte[] toDer(Tss2KeyFile key) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1ObjectIdentifier(key.type().oid()));
        key.emptyAuth().ifPresent(b -> v.add(new DLTaggedObject(true, EMPTY_AUTH, b ? OPENSSL_TRUE : ASN1Boolean.FALSE)));
        if (!key.policy().isEmpty()) {
            v.add(new DLTaggedObject(true, POLICY, policiesAsn1(key.policy())));
        }
        if (!key.authPolicy().isEmpty()) {
            ASN1EncodableVector signed = new ASN1EncodableVector();
            key.authPolicy().forEach(p -> signed.add(new DLSequence(authPolicyAsn1(p))));
            v.add(new DLTaggedObject(true, AUTH_POLICY, new DLSequence(signed)));
        }
        key.description().ifPresent(d -> v.add(new DLTaggedObject(true, DESCRIPTION, new DERUTF8String(d))));
        v.add(new ASN1Integer(Integer.toUnsignedLong(key.parent())));
        v.add(new DEROctetString(key.pubkey()));
        v.add(new DEROctetString(key.privkey()));
        return encode(new DLSequence(v)); // DER, except for OPENSSL_TRUE
    }

    private static DLSequence policiesAsn1(List<TpmPolicy> policy) {
        ASN1EncodableVector policies = new ASN1EncodableVector();
        for (TpmPolicy p : policy) {
            policies.add(new DLSequence(new ASN1Encodable[] {
                new DLTaggedObject(true, 0, new ASN1Integer(p.commandCode())),
                new DLTaggedObject(true, 1, new DEROctetString(p.commandPolicy()))}));
        }
        return new DLSequence(policies);
    }

    private static byte[] encode(DLSequence seq) {
        try {
            return seq.getEncoded(ASN1Encoding.DL);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // encoding in memory does not fail
        }
    }

    private static ASN1Primitive parseConstant(byte[] encoding) {
        try {
            return ASN1Primitive.fromByteArray(encoding);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String toPem(Tss2KeyFile key) {
        return pem(Tss2KeyFile.PEM_LABEL, key.toDer());
    }

    private static String pem(String label, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter pem = new PemWriter(out)) {
            pem.writeObject(new PemObject(label, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a StringWriter does not fail
        }
        // BC ends lines with the platform's separator; key files use \n everywhere, as OpenSSL writes them
        return out.toString().replace(System.lineSeparator(), "\n");
    }
}
