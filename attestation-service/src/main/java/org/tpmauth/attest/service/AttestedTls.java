package org.tpmauth.attest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.tpmauth.attestation.AttestationVerifier;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * A TLS server that lets a client in only with evidence bound to the connection: after the handshake
 * (client certificate required), the client's first application data is an {@link EvidenceFrame} whose
 * quote's nonce is {@link ChannelBinding#nonce} of this connection's exporter, signed by an AK whose
 * certificate (from a trusted CA, for the same device as the client certificate) is in the frame; the
 * quote and boot log must pass the reference state. Evidence recorded on one connection fails on any
 * other (another exporter, another nonce).
 */
public final class AttestedTls {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AttestedTls() {
    }

    /**
     * Accepts one connection: handshake, evidence, verdict (sent to the client). Returns the
     * connection, ready for application data, when the evidence passes.
     *
     * @throws Refusal (after telling the client) naming every failed check; the connection is closed
     */
    public static BoundConnection accept(Socket socket, TlsIdentity identity, CertificateCheck clients, RefState ref)
            throws IOException, Refusal {
        BoundConnection c = BoundTls.accept(socket, identity, clients, BoundTls.ClientAuth.REQUIRED);
        try {
            List<Failure> failures = judge(EvidenceFrame.read(c.in()), c.peerChain().get(0), clients, ref, c.exporter());
            ObjectNode verdict = JSON.createObjectNode();
            verdict.put("ok", failures.isEmpty());
            verdict.put("verdict", failures.isEmpty() ? "OK\n" : Refusal.text(failures));
            EvidenceFrame.write(c.out(), verdict);
            if (!failures.isEmpty()) {
                throw new Refusal(403, failures);
            }
            return c;
        } catch (Refusal | IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The judgement of evidence bound to a connection, whatever carries it (this class's frame, an MQTT
     * 5 CONNECT): the AK certificate in {@code frame} must come from a CA of {@code clients} for the same
     * device as the connection's {@code client} certificate, and the quote (nonce {@link
     * ChannelBinding#nonce} of {@code exporter}) and boot log must pass {@code ref}.
     *
     * @param frame {@code {"akCertificate": "base64 DER", "evidence": {...}}}, as
     *              {@code AttestedTlsClient.Attester#frame} makes it
     * @return every failed check; empty when the evidence passes
     * @throws Refusal (400) when the frame is malformed
     */
    public static List<Failure> judge(JsonNode frame, X509Certificate client, CertificateCheck clients, RefState ref,
            byte[] exporter) throws Refusal {
        byte[] nonce = ChannelBinding.nonce(exporter);
        X509Certificate ak;
        Evidence evidence;
        try {
            List<X509Certificate> certs = EkCertificateVerifier.readCertificates(
                    Base64.getDecoder().decode(frame.path("akCertificate").asText()));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no \"akCertificate\"");
            }
            ak = certs.get(0);
            evidence = Evidence.fromJson(frame.path("evidence").toString());
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("frame", "malformed evidence: " + e.getMessage());
        }
        if (clients.caCertificates().stream().noneMatch(ca -> CertificateAuthority.issued(ak, ca))) {
            return List.of(new Failure("ak-certificate", "the AK certificate is not from a trusted CA, or expired"));
        }
        if (!CertificateAuthority.deviceOf(ak).device().equals(CertificateAuthority.deviceOf(client).device())) {
            return List.of(new Failure("ak-certificate", "the AK certificate is " + CertificateAuthority.deviceOf(ak)
                    .device() + "'s, the client certificate " + CertificateAuthority.deviceOf(client).device() + "'s"));
        }
        return AttestationVerifier.verify(CertificateAuthority.akPublicArea(ak), evidence, nonce, null, null, ref).failures();
    }
}
