package org.tpmauth.attestation.quote;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
 *
 * @param eventLog the TCG boot event log, or null
 * @param imaLog   the IMA runtime measurement list (binary or ASCII form), or null
 */
public record Evidence(byte[] quoted, TpmtSignature signature, PcrValues pcrs, byte[] eventLog, byte[] imaLog) {
    private static final JsonFactory JSON = new JsonFactory();
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
            out.writeStartObject();
            out.writeStringField("quoted", HEX.formatHex(quoted));
            out.writeStringField("signature", HEX.formatHex(TpmWriter.marshal(signature::marshal)));
            out.writeObjectFieldStart("pcrs");
            for (Map.Entry<TpmAlg, SortedMap<Integer, byte[]>> bank : pcrs.banks().entrySet()) {
                out.writeObjectFieldStart(bank.getKey().name().toLowerCase());
                for (Map.Entry<Integer, byte[]> pcr : bank.getValue().entrySet()) {
                    out.writeStringField(String.valueOf(pcr.getKey()), HEX.formatHex(pcr.getValue()));
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text + "\n";
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
            return read(in, json);
        } catch (IOException e) {
            throw notJson(e);
        }
    }

    private static IllegalArgumentException notJson(IOException e) {
        return new IllegalArgumentException("the evidence is not JSON: "
                + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }

    /** One pass over the tokens; unknown fields are skipped, as a newer attester may add some. */
    private static Evidence read(JsonParser in, byte[] json) throws IOException {
        if (in.nextToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("the evidence is not a JSON object");
        }
        String quoted = null;
        String signature = null;
        Map<TpmAlg, SortedMap<Integer, byte[]>> banks = null;
        Map<String, byte[]> logs = new LinkedHashMap<>();
        // a log's base64 string is decoded once the parser has skipped it: its end is then known
        String pendingField = null;
        long pendingStart = -1;
        for (String field = in.nextFieldName(); ; field = in.nextFieldName()) {
            if (pendingField != null) {
                logs.put(pendingField, base64At(json, pendingStart, in.currentTokenLocation().getByteOffset(), pendingField));
                pendingField = null;
            }
            if (field == null) {
                break;
            }
            JsonToken value = in.nextToken();
            switch (field) {
                case "quoted" -> quoted = value == JsonToken.VALUE_STRING ? in.getText() : null;
                case "signature" -> signature = value == JsonToken.VALUE_STRING ? in.getText() : null;
                case "pcrs" -> banks = value == JsonToken.START_OBJECT ? pcrs(in) : null;
                case "eventlog", "imalog" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        pendingField = field;
                        pendingStart = in.currentTokenLocation().getByteOffset();
                    } else if (value == JsonToken.VALUE_NULL) {
                        logs.remove(field);
                    } else {
                        throw new IllegalArgumentException("\"" + field + "\" is not a base64 string");
                    }
                }
                default -> in.skipChildren();
            }
        }
        byte[] log = logs.get("eventlog");
        byte[] ima = logs.get("imalog");
        if (in.nextToken() != null) {
            throw new IllegalArgumentException("the evidence has data after its JSON object");
        }
        byte[] quotedBytes = hex(required(quoted, "quoted"), "quoted");
        byte[] sig = hex(required(signature, "signature"), "signature");
        TpmtSignature parsed;
        try {
            TpmReader r = new TpmReader(sig).enter("signature");
            parsed = TpmtSignature.read(r);
            r.expectEnd();
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("\"signature\" is not a TPMT_SIGNATURE: " + e.getMessage());
        }
        if (banks == null) {
            throw new IllegalArgumentException("the evidence has no \"pcrs\" object (bank -> index -> hex)");
        }
        return new Evidence(quotedBytes, parsed, new PcrValues(banks), log, ima);
    }

    private static String required(String value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("the evidence has no \"" + field + "\" string");
        }
        return value;
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
                if (in.nextToken() != JsonToken.VALUE_STRING) {
                    throw new IllegalArgumentException("\"" + where + "\" is not a hex string");
                }
                byte[] digest = hex(in.getText(), where);
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
