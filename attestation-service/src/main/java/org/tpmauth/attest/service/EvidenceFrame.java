package org.tpmauth.attest.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The framing of evidence at the start of a TLS connection's application data (both directions):
 * {@code "TPMA" || u32 length (big-endian) || JSON}. The client sends {@code {"akCertificate": "base64
 * DER", "evidence": {quoted, signature, pcrs, eventlog}}}, the server answers {@code {"ok": bool,
 * "verdict": "text"}}. A frame above 4 MiB is refused before it is read.
 */
public final class EvidenceFrame {
    private static final byte[] MAGIC = "TPMA".getBytes(StandardCharsets.US_ASCII);
    public static final int MAX_LENGTH = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvidenceFrame() {
    }

    public static void write(OutputStream out, JsonNode message) throws IOException {
        byte[] json = message.toString().getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(8).put(MAGIC).putInt(json.length).array());
        out.write(json);
        out.flush();
    }

    /**
     * Reads one frame.
     *
     * @throws Refusal (400) for another magic, a length beyond the limit, a truncated frame or non-JSON
     */
    public static ObjectNode read(InputStream in) throws IOException, Refusal {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[8];
        try {
            data.readFully(header);
            if (!Arrays.equals(Arrays.copyOf(header, 4), MAGIC)) {
                throw Refusal.badRequest("frame", "the connection does not start with an evidence frame (\"TPMA\"); "
                        + "connect with attestation (tpmauth tls connect --attest)");
            }
            int length = ByteBuffer.wrap(header, 4, 4).getInt();
            if (length < 0 || length > MAX_LENGTH) {
                throw Refusal.badRequest("frame", "an evidence frame of " + Integer.toUnsignedString(length)
                        + " bytes is beyond the limit of " + MAX_LENGTH);
            }
            byte[] json = new byte[length];
            data.readFully(json);
            return object(json);
        } catch (EOFException e) {
            throw Refusal.badRequest("frame", "the connection ended inside the evidence frame");
        }
    }

    /**
     * The JSON object of a frame's body (UTF-8), wherever the body came from.
     *
     * @throws Refusal (400) for non-JSON or JSON that is not an object
     */
    public static ObjectNode object(byte[] json) throws Refusal {
        try {
            // decoded here: given bytes, Jackson guesses the encoding (UTF-16, UTF-32) and fails outside its exceptions
            JsonNode n = JSON.readTree(new String(json, StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                throw Refusal.badRequest("frame", "the evidence frame does not hold a JSON object");
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw Refusal.badRequest("frame", "the evidence frame is not JSON: " + e.getOriginalMessage());
        }
    }
}
