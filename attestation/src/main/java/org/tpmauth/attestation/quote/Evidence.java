package org.tpmauth.attestation.quote;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * What an attesting machine sends: the quote (TPMS_ATTEST bytes as the TPM returned them), the AK's
 * signature (TPMT_SIGNATURE), the PCR values it claims, and optionally its boot event log and its IMA
 * measurement list. As JSON:
 * <pre>
 * {"quoted": "ff544347...", "signature": "0018000b...", "pcrs": {"sha256": {"0": "hex", ...}, ...},
 *  "eventlog": "base64", "imalog": "base64"}
 * </pre>
 * The same object in CBOR (RFC 8949, {@link #toCbor()}) carries the binary values as byte strings
 * instead of hex and base64: a verifier then copies the logs out instead of decoding them (the base64
 * of a boot log was most of the JSON form's verification time).
 *
 * @param eventLog the TCG boot event log, or null
 * @param imaLog   the IMA runtime measurement list (binary or ASCII form), or null
 */
public record Evidence(byte[] quoted, TpmtSignature signature, PcrValues pcrs, byte[] eventLog, byte[] imaLog) {
    private static final JsonFactory JSON = new JsonFactory();
    private static final CBORFactory CBOR = new CBORFactory();
    private static final HexFormat HEX = HexFormat.of();
    /** Standard base64, one line or wrapped in lines (whitespace between quads is skipped), padding optional. */
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withPaddingAllowed();

    /** Evidence without an IMA log. */
    public Evidence(byte[] quoted, TpmtSignature signature, PcrValues pcrs, byte[] eventLog) {
        this(quoted, signature, pcrs, eventLog, null);
    }

    public boolean hasEventLog() {
        return eventLog != null;
    }

    public boolean hasImaLog() {
        return imaLog != null;
    }

    /** These values with the IMA log set (or removed, with null). */
    public Evidence withImaLog(byte[] ima) {
        return new Evidence(quoted, signature, pcrs, eventLog, ima);
    }

    /** The JSON form, pretty-printed. */
    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text).useDefaultPrettyPrinter()) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text + "\n";
    }

    /** The CBOR form: the JSON form's map, with byte strings for the binary values. */
    public byte[] toCbor() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(quoted.length + 1024
                + (eventLog == null ? 0 : eventLog.length) + (imaLog == null ? 0 : imaLog.length));
        try (JsonGenerator out = CBOR.createGenerator(bytes)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the evidence object, e.g. as a field's value: binary values as hex (the logs as base64) to a
     * text generator, as byte strings to a binary one (CBOR).
     */
    public void write(JsonGenerator out) throws IOException {
        out.writeStartObject();
        bytesField(out, "quoted", quoted);
        bytesField(out, "signature", TpmWriter.marshal(signature::marshal));
        out.writeObjectFieldStart("pcrs");
        for (Map.Entry<TpmAlg, SortedMap<Integer, byte[]>> bank : pcrs.banks().entrySet()) {
            out.writeObjectFieldStart(bank.getKey().name().toLowerCase());
            for (Map.Entry<Integer, byte[]> pcr : bank.getValue().entrySet()) {
                bytesField(out, String.valueOf(pcr.getKey()), pcr.getValue());
            }
            out.writeEndObject();
        }
        out.writeEndObject();
        if (eventLog != null) {
            out.writeFieldName("eventlog");
            out.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, eventLog, 0, eventLog.length);
        }
        if (imaLog != null) {
            out.writeFieldName("imalog");
            out.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, imaLog, 0, imaLog.length);
        }
        out.writeEndObject();
    }

    private static void bytesField(JsonGenerator out, String name, byte[] value) throws IOException {
        out.writeFieldName(name);
        if (out.canWriteBinaryNatively()) {
            out.writeBinary(value);
        } else {
            out.writeString(HEX.formatHex(value));
        }
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static Evidence fromJson(String json) {
        return fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the JSON form from its UTF-8 bytes, as it comes off a file or the network: the logs are
     * decoded from base64 straight out of these bytes, with no string of the whole log in between.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static Evidence fromJson(byte[] json) {
        try (JsonParser in = JSON.createParser(json)) {
            return readWhole(in, json, "JSON");
        } catch (IOException e) {
            throw malformed("JSON", e);
        }
    }

    /**
     * Reads the CBOR form ({@link #toCbor()}); hex and base64 text strings are read as in JSON.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static Evidence fromCbor(byte[] cbor) {
        try (JsonParser in = CBOR.createParser(cbor)) {
            return readWhole(in, cbor, "CBOR");
        } catch (IOException e) {
            throw malformed("CBOR", e);
        }
    }

    private static Evidence readWhole(JsonParser in, byte[] source, String form) throws IOException {
        if (in.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("the evidence is not a " + form + " object");
        }
        Evidence ev = read(in, source);
        if (in.nextToken() != null) {
            throw new IllegalArgumentException("the evidence has data after its " + form + " object");
        }
        return ev;
    }

    private static IllegalArgumentException malformed(String form, IOException e) {
        return new IllegalArgumentException("the evidence is not " + form + ": "
                + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }

    /**
     * Reads an evidence object, e.g. as a field's value, from a JSON or CBOR parser standing at its
     * START_OBJECT, and leaves the parser at its END_OBJECT. Unknown fields are skipped, as a newer
     * attester may add some.
     *
     * @param source the bytes the parser reads (from their start), or null: the logs are taken from them
     *               in place, base64-decoded from a JSON parser's, copied from a CBOR parser's
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static Evidence read(JsonParser in, byte[] source) throws IOException {
        boolean json = !(in instanceof CBORParser);
        byte[] quoted = null;
        byte[] signature = null;
        Map<TpmAlg, SortedMap<Integer, byte[]>> banks = null;
        Map<String, byte[]> logs = new LinkedHashMap<>();
        // a log's base64 string is decoded once the parser has skipped it: its end is then known
        String pendingField = null;
        long pendingStart = -1;
        for (String field = in.nextFieldName(); ; field = in.nextFieldName()) {
            if (pendingField != null) {
                logs.put(pendingField, base64At(source, pendingStart, in.currentTokenLocation().getByteOffset(),
                        pendingField));
                pendingField = null;
            }
            if (field == null) {
                break;
            }
            JsonToken value = in.nextToken();
            switch (field) {
                case "quoted" -> quoted = isBytes(value) ? bytes(in, "quoted") : null;
                case "signature" -> signature = isBytes(value) ? bytes(in, "signature") : null;
                case "pcrs" -> banks = value == JsonToken.START_OBJECT ? pcrs(in) : null;
                case "eventlog", "imalog" -> {
                    byte[] inPlace;
                    if (value == JsonToken.VALUE_STRING && json && source != null) {
                        pendingField = field;
                        pendingStart = in.currentTokenLocation().getByteOffset();
                    } else if (value == JsonToken.VALUE_EMBEDDED_OBJECT && source != null
                            && (inPlace = cborBytesAt(source, in.currentTokenLocation().getByteOffset())) != null) {
                        logs.put(field, inPlace); // the parser skips the string unread
                    } else if (isBytes(value)) {
                        logs.put(field, binary(in, field));
                    } else if (value == JsonToken.VALUE_NULL) {
                        logs.remove(field);
                    } else {
                        throw new IllegalArgumentException("\"" + field + "\" is not a base64 string");
                    }
                }
                default -> in.skipChildren();
            }
        }
        if (quoted == null) {
            throw new IllegalArgumentException("the evidence has no \"quoted\" string");
        }
        if (signature == null) {
            throw new IllegalArgumentException("the evidence has no \"signature\" string");
        }
        TpmtSignature parsed;
        try {
            TpmReader r = new TpmReader(signature).enter("signature");
            parsed = TpmtSignature.read(r);
            r.expectEnd();
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("\"signature\" is not a TPMT_SIGNATURE: " + e.getMessage());
        }
        if (banks == null) {
            throw new IllegalArgumentException("the evidence has no \"pcrs\" object (bank -> index -> hex)");
        }
        return new Evidence(quoted, parsed, new PcrValues(banks), logs.get("eventlog"), logs.get("imalog"));
    }

    private static boolean isBytes(JsonToken value) {
        return value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_EMBEDDED_OBJECT;
    }

    /** A hex string (JSON) or a byte string (CBOR). */
    private static byte[] bytes(JsonParser in, String field) throws IOException {
        return in.currentToken() == JsonToken.VALUE_STRING ? hex(in.getText(), field) : binary(in, field);
    }

    /** A byte string (CBOR) or, in a CBOR text string, base64. */
    private static byte[] binary(JsonParser in, String field) throws IOException {
        try {
            return in.getBinaryValue(BASE64);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not a byte string: " + e.getOriginalMessage());
        }
    }

    /** {"sha256": {"0": "hex", ...}, ...}, the parser at the object's start. */
    private static Map<TpmAlg, SortedMap<Integer, byte[]>> pcrs(JsonParser in) throws IOException {
        Map<TpmAlg, SortedMap<Integer, byte[]>> banks = new LinkedHashMap<>();
        for (String bank = in.nextFieldName(); bank != null; bank = in.nextFieldName()) {
            TpmAlg alg = TpmAlg.hashByName(bank);
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("\"pcrs." + bank + "\" is not an object (index -> hex)");
            }
            SortedMap<Integer, byte[]> values = new TreeMap<>();
            for (String pcr = in.nextFieldName(); pcr != null; pcr = in.nextFieldName()) {
                String where = "pcrs." + bank + "." + pcr;
                if (!isBytes(in.nextToken())) {
                    throw new IllegalArgumentException("\"" + where + "\" is not a hex string");
                }
                byte[] digest = bytes(in, where);
                if (digest.length != alg.digestSize()) {
                    throw new IllegalArgumentException("\"" + where + "\" has " + digest.length + " bytes, not a "
                            + bank + " digest");
                }
                values.put(pcrIndex(pcr, where), digest);
            }
            banks.put(alg, values);
        }
        return banks;
    }

    /**
     * The base64 JSON string that starts (at its opening quote) at {@code start} and ends before the
     * token at {@code next}. A log is most of the evidence: written as one plain line, it is decoded in
     * place from the JSON bytes by the JDK's decoder; anything else (lines joined by escaped newlines,
     * say) goes through the JSON parser's own decoder.
     */
    private static byte[] base64At(byte[] json, long start, long next, String field) throws IOException {
        int close = (int) Math.min(next, json.length) - 1;
        while (close > start && (isJsonSpace(json[close]) || json[close] == ',')) {
            close--;
        }
        if (start < 0 || close <= start || json[(int) start] != '"' || json[close] != '"') {
            throw new IllegalStateException("the JSON parser reported no string at offset " + start);
        }
        int from = (int) start + 1;
        try {
            ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(json, from, close - from));
            return decoded.remaining() == decoded.capacity() ? decoded.array()
                    : Arrays.copyOf(decoded.array(), decoded.remaining());
        } catch (IllegalArgumentException plainFailed) {
            try (JsonParser string = JSON.createParser(json, (int) start, close + 1 - (int) start)) {
                string.nextToken();
                return string.getBinaryValue(BASE64);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + field + "\" is not base64: "
                        + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
            }
        }
    }

    /**
     * The CBOR byte string (definite length) whose head is at {@code at}, copied once: the parser's own
     * reading of a long one collects it in chunks and copies it twice. Null for anything else (the
     * parser then reads it, or reports it).
     */
    private static byte[] cborBytesAt(byte[] cbor, long at) {
        if (at < 0 || at >= cbor.length || (cbor[(int) at] & 0xe0) != 0x40) {
            return null;
        }
        int head = (int) at;
        int info = cbor[head] & 0x1f;
        int extra = info < 24 ? 0 : info <= 27 ? 1 << (info - 24) : -1;
        if (extra < 0 || head + 1 + extra > cbor.length) {
            return null; // indefinite length (chunks), or a reserved value
        }
        long length = info < 24 ? info : 0;
        for (int i = 0; i < extra; i++) {
            length = length << 8 | cbor[head + 1 + i] & 0xff;
        }
        int from = head + 1 + extra;
        if (length < 0 || length > cbor.length - from) {
            return null;
        }
        return Arrays.copyOfRange(cbor, from, from + (int) length);
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static byte[] hex(String s, String field) {
        try {
            return HEX.parseHex(s.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not hex: " + e.getMessage());
        }
    }

    private static int pcrIndex(String s, String where) {
        try {
            int i = Integer.parseInt(s);
            if (i >= 0 && i < 32) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("\"" + where + "\": '" + s + "' is not a PCR index");
    }
}
