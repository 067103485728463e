package org.tpmauth.attestation.quote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
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
 * signature (TPMT_SIGNATURE), the PCR values it claims, and optionally its boot event log. As JSON:
 * <pre>
 * {"quoted": "ff544347...", "signature": "0018000b...", "pcrs": {"sha256": {"0": "hex", ...}, ...},
 *  "eventlog": "base64"}
 * </pre>
 */
public record Evidence(byte[] quoted, TpmtSignature signature, PcrValues pcrs, byte[] eventLog) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    public boolean hasEventLog() {
        return eventLog != null;
    }

    /** The JSON form, pretty-printed. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("quoted", HEX.formatHex(quoted));
        root.put("signature", HEX.formatHex(TpmWriter.marshal(signature::marshal)));
        ObjectNode banks = root.putObject("pcrs");
        pcrs.banks().forEach((bank, values) -> {
            ObjectNode b = banks.putObject(bank.name().toLowerCase());
            values.forEach((pcr, digest) -> b.put(String.valueOf(pcr), HEX.formatHex(digest)));
        });
        if (eventLog != null) {
            root.put("eventlog", Base64.getEncoder().encodeToString(eventLog));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    public static Evidence fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the evidence is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the evidence is not a JSON object");
        }
        byte[] quoted = hex(text(root, "quoted"), "quoted");
        byte[] sig = hex(text(root, "signature"), "signature");
        TpmtSignature signature;
        try {
            TpmReader in = new TpmReader(sig).enter("signature");
            signature = TpmtSignature.read(in);
            in.expectEnd();
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("\"signature\" is not a TPMT_SIGNATURE: " + e.getMessage());
        }
        JsonNode pcrs = root.get("pcrs");
        if (pcrs == null || !pcrs.isObject()) {
            throw new IllegalArgumentException("the evidence has no \"pcrs\" object (bank -> index -> hex)");
        }
        Map<TpmAlg, SortedMap<Integer, byte[]>> banks = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = pcrs.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> bank = it.next();
            TpmAlg alg = TpmAlg.hashByName(bank.getKey());
            SortedMap<Integer, byte[]> values = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> v = bank.getValue().fields(); v.hasNext();) {
                Map.Entry<String, JsonNode> pcr = v.next();
                String where = "pcrs." + bank.getKey() + "." + pcr.getKey();
                byte[] digest = hex(pcr.getValue().asText(), where);
                if (digest.length != alg.digestSize()) {
                    throw new IllegalArgumentException("\"" + where + "\" has " + digest.length + " bytes, not a "
                            + bank.getKey() + " digest");
                }
                values.put(pcrIndex(pcr.getKey(), where), digest);
            }
            banks.put(alg, values);
        }
        byte[] log = null;
        if (root.hasNonNull("eventlog")) {
            try {
                log = decodeBase64(root.get("eventlog").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"eventlog\" is not base64: " + e.getMessage());
            }
        }
        return new Evidence(quoted, signature, new PcrValues(banks), log);
    }

    /** Base64 as written here (one line, fast), or wrapped in lines as other tools write it. */
    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return Base64.getMimeDecoder().decode(text);
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("the evidence has no \"" + field + "\" string");
        }
        return n.asText();
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
