package org.tpmauth.attest.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
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
 */
public record KeyEvidence(Evidence evidence, TpmtPublic keyPublic, KeyCertification.Evidence certify) {
    private static final ObjectMapper JSON = new ObjectMapper();
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
        try {
            TpmtPublic key = PublicAreas.read(hex(root, "keyPublic"), "keyPublic");
            TpmReader sig = new TpmReader(hex(root, "certifySignature")).enter("certifySignature");
            TpmtSignature signature = TpmtSignature.read(sig);
            sig.expectEnd();
            return new KeyEvidence(Evidence.fromJson(evidence.toString()), key,
                    new KeyCertification.Evidence(hex(root, "certifyInfo"), signature));
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("malformed key evidence: " + e.getMessage(), e);
        }
    }

    public static KeyEvidence fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the key evidence is not JSON: " + e.getOriginalMessage());
        }
    }

    static byte[] hex(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("no \"" + field + "\" string");
        }
        try {
            return HEX.parseHex(n.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not hex: " + e.getMessage());
        }
    }
}
