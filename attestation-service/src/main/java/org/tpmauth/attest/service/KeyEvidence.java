package org.tpmauth.attest.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A machine's evidence for one key, bound to one nonce: the quote with PCR values and boot log
 * ({@link Evidence}), and the key's public area certified by the AK (TPM2_Certify). As JSON:
 * <pre>
 * {"evidence": {quoted, signature, pcrs, eventlog}, "keyPublic": "hex TPMT_PUBLIC",
 *  "certifyInfo": "hex TPMS_ATTEST", "certifySignature": "hex TPMT_SIGNATURE"}
 * </pre>
 * and the same map in CBOR ({@link #toCbor()}), with byte strings for the binary values (as in
 * {@link Evidence#toCbor()}): what a renewal request carries, since the boot log is then copied out, not
 * base64-decoded.
 */
public record KeyEvidence(Evidence evidence, TpmtPublic keyPublic, KeyCertification.Evidence certify) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CBORFactory CBOR = new CBORFactory();
    private static final HexFormat HEX = HexFormat.of();

    public ObjectNode toJsonNode() {
        ObjectNode root = JSON.createObjectNode();
        try {
            root.set("evidence", JSON.readTree(evidence.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        root.put("keyPublic", HEX.formatHex(TpmWriter.marshal(keyPublic::marshal)));
        root.put("certifyInfo", HEX.formatHex(certify.certifyInfo()));
        root.put("certifySignature", HEX.formatHex(TpmWriter.marshal(certify.signature()::marshal)));
        return root;
    }

    public String toJson() {
        return toJsonNode().toString();
    }

    /** The CBOR form. */
    public byte[] toCbor() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096
                + (evidence.eventLog() == null ? 0 : evidence.eventLog().length)
                + (evidence.imaLog() == null ? 0 : evidence.imaLog().length));
        try (JsonGenerator out = CBOR.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeFieldName("evidence");
            evidence.write(out);
            out.writeFieldName("keyPublic");
            out.writeBinary(TpmWriter.marshal(keyPublic::marshal));
            out.writeFieldName("certifyInfo");
            out.writeBinary(certify.certifyInfo());
            out.writeFieldName("certifySignature");
            out.writeBinary(TpmWriter.marshal(certify.signature()::marshal));
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the CBOR form.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static KeyEvidence fromCbor(byte[] cbor) {
        return read(CBOR, cbor, "CBOR");
    }

    /**
     * Reads the JSON form from its UTF-8 bytes, as a renewal request carries it: the boot log's base64 is
     * decoded straight out of these bytes ({@link Evidence#read}), with no string or tree of the whole.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static KeyEvidence fromJson(byte[] json) {
        return read(JSON.getFactory(), json, "JSON");
    }

    /** The CBOR form (byte strings) or the JSON form (hex strings) from {@code source}. */
    private static KeyEvidence read(JsonFactory format, byte[] source, String form) {
        boolean cbor = format instanceof CBORFactory;
        JsonToken bytes = cbor ? JsonToken.VALUE_EMBEDDED_OBJECT : JsonToken.VALUE_STRING;
        String object = cbor ? "map" : "object";
        try (JsonParser in = format.createParser(source)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the key evidence is not a " + form + " " + object);
            }
            Evidence evidence = null;
            Map<String, byte[]> values = new HashMap<>();
            for (String field = in.nextFieldName(); field != null; field = in.nextFieldName()) {
                JsonToken value = in.nextToken();
                if (field.equals("evidence") && value == JsonToken.START_OBJECT) {
                    evidence = Evidence.read(in, source);
                } else if (value == bytes) {
                    values.put(field, cbor ? in.getBinaryValue() : hex(in.getText(), field));
                } else {
                    in.skipChildren(); // a field a newer machine added
                }
            }
            if (in.nextToken() != null) {
                throw new IllegalArgumentException("the key evidence has data after its " + form + " " + object);
            }
            if (evidence == null) {
                throw new IllegalArgumentException("the key evidence has no \"evidence\" " + object + " (the quote)");
            }
            return of(evidence, field -> {
                byte[] b = values.get(field);
                if (b == null) {
                    throw new IllegalArgumentException("no \"" + field + "\" " + (cbor ? "byte string" : "string"));
                }
                return b;
            });
        } catch (IOException e) {
            throw new IllegalArgumentException("the key evidence is not " + form + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    /** The key evidence of {@code evidence} and the other fields' bytes. */
    private static KeyEvidence of(Evidence evidence, Function<String, byte[]> field) {
        try {
            TpmtPublic key = PublicAreas.read(field.apply("keyPublic"), "keyPublic");
            TpmReader sig = new TpmReader(field.apply("certifySignature")).enter("certifySignature");
            TpmtSignature signature = TpmtSignature.read(sig);
            sig.expectEnd();
            return new KeyEvidence(evidence, key, new KeyCertification.Evidence(field.apply("certifyInfo"), signature));
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("malformed key evidence: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static KeyEvidence fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the key evidence is not a JSON object");
        }
        JsonNode evidence = root.get("evidence");
        if (evidence == null || !evidence.isObject()) {
            throw new IllegalArgumentException("the key evidence has no \"evidence\" object (the quote)");
        }
        return of(Evidence.fromJson(evidence.toString()), field -> hex(root, field));
    }

    static byte[] hex(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("no \"" + field + "\" string");
        }
        return hex(n.asText(), field);
    }

    private static byte[] hex(String text, String field) {
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not hex: " + e.getMessage());
        }
    }
}
