package org.tpmauth.attest.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.tpmauth.attest.service.AttestedTls;
import org.tpmauth.attest.service.EvidenceFrame;
import org.tpmauth.attest.service.Refusal;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * The client of an {@link AttestedTls} server: after the handshake it quotes with the nonce derived
 * from this connection's exporter, sends the evidence frame first, and waits for the server's verdict.
 */
public final class AttestedTlsClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AttestedTlsClient() {
    }

    /** What the TPM side needs: the AK, its certificate, the PCRs to quote and the boot log (or null). */
    public record Attester(Tpm tpm, TpmKey ak, X509Certificate akCertificate, List<TpmsPcrSelection> pcrs,
            byte[] eventLog) {
        /** The evidence frame for a connection whose exporter is {@code exporter}. */
        public ObjectNode frame(byte[] exporter) {
            ObjectNode frame = JSON.createObjectNode();
            try {
                frame.put("akCertificate", Base64.getEncoder().encodeToString(akCertificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("the AK certificate cannot be encoded", e);
            }
            try {
                frame.set("evidence", JSON.readTree(Quoter.quote(tpm, ak, ChannelBinding.nonce(exporter), pcrs, eventLog)
                        .toJson()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return frame;
        }
    }

    /**
     * Handshake, evidence, verdict. Returns the connection for application data once the server
     * accepted the evidence.
     *
     * @throws ServiceRefusal with the server's verdict
     */
    public static BoundConnection connect(Socket socket, TlsIdentity identity, CertificateCheck serverCheck,
            Attester attester) throws IOException {
        BoundConnection c = BoundTls.connect(socket, identity, serverCheck);
        try {
            EvidenceFrame.write(c.out(), attester.frame(c.exporter()));
            JsonNode verdict = EvidenceFrame.read(c.in());
            if (!verdict.path("ok").asBoolean()) {
                throw new ServiceRefusal(403, verdict.path("verdict").asText());
            }
            return c;
        } catch (Refusal r) {
            c.close();
            throw new IOException("the server's verdict is malformed: " + r.getMessage(), r);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }
}
