package org.tpmauth.attest.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.tpmauth.attest.service.EvidenceFrame;
import org.tpmauth.attest.service.Refusal;

/**
 * The MQTT 5 authentication data of method {@value #METHOD}: the JSON body of an {@link EvidenceFrame}
 * ({@code {"akCertificate": ..., "evidence": ...}}, its quote's nonce derived from the TLS exporter of
 * the connection that carries the CONNECT), compressed with raw DEFLATE (RFC 1951). Compressed, because
 * MQTT binary data holds at most 65,535 bytes and a boot log in base64 alone can come close to that;
 * a body beyond {@link EvidenceFrame#MAX_LENGTH} once inflated is refused before it is all inflated.
 */
public final class MqttAuthData {
    /** The authentication method in CONNECT. */
    public static final String METHOD = "tpmauth-attest-v1";
    /** The most an MQTT 5 binary data field holds. */
    public static final int MAX_LENGTH = 65_535;

    private MqttAuthData() {
    }

    /**
     * The authentication data for {@code frame}.
     *
     * @throws IllegalArgumentException when even compressed it is beyond {@link #MAX_LENGTH}
     */
    public static byte[] encode(ObjectNode frame) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(frame.toString().getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            if (out.size() > MAX_LENGTH) {
                throw new IllegalArgumentException("the evidence is " + out.size() + " bytes compressed, beyond the "
                        + MAX_LENGTH + " bytes MQTT 5 authentication data holds; quote fewer PCRs or send a shorter "
                        + "event log");
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /**
     * The evidence frame's JSON object in {@code data}.
     *
     * @throws Refusal (400) naming what is wrong: not DEFLATE data, truncated, too large once inflated,
     *                 not a JSON object
     */
    public static ObjectNode decode(byte[] data) throws Refusal {
        if (data == null || data.length == 0) {
            throw Refusal.badRequest("auth-data", "the CONNECT carries no authentication data (the evidence)");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(data);
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw Refusal.badRequest("auth-data", "the authentication data ends inside its compressed evidence "
                            + "(truncated)");
                }
                if (json.size() + n > EvidenceFrame.MAX_LENGTH) {
                    throw Refusal.badRequest("auth-data", "the evidence inflates beyond the limit of "
                            + EvidenceFrame.MAX_LENGTH + " bytes");
                }
                json.write(buffer, 0, n);
            }
            if (inflater.getRemaining() > 0) {
                throw Refusal.badRequest("auth-data", inflater.getRemaining() + " bytes follow the compressed evidence");
            }
            return EvidenceFrame.object(json.toByteArray());
        } catch (DataFormatException e) {
            throw Refusal.badRequest("auth-data", "the authentication data is not " + METHOD + " evidence (raw "
                    + "DEFLATE): " + e.getMessage());
        } finally {
            inflater.end();
        }
    }
}
