package org.tpmauth.attest.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.attestation.credential.CredentialActivation;
import org.tpmauth.attestation.credential.CredentialFile;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmWriter;
import org.tpmauth.tls.bound.BoundConnection;

/**
 * First contact with the attestation service: send the EK certificate, the AK, and the key's evidence
 * (nonce from the connection's exporter); recover the service's credential with TPM2_ActivateCredential
 * (which only this TPM can); get the AK and machine certificates for it.
 */
public final class Enroller {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The EK certificates a TPM may hold, in the order they are tried. */
    private static final List<EkTemplate> EK_ORDER = List.of(EkTemplate.ECC_P256, EkTemplate.RSA_2048, EkTemplate.ECC_P384);

    private final ServiceClient client;

    public Enroller(ServiceClient client) {
        this.client = client;
    }

    /** The enrolled machine's certificates. */
    public record Result(String device, X509Certificate certificate, X509Certificate akCertificate,
            X509Certificate caCertificate) {
    }

    /** The first EK certificate the TPM holds (P-256, RSA-2048, P-384). */
    public static X509Certificate ekCertificate(Tpm tpm) {
        for (EkTemplate t : EK_ORDER) {
            var cert = EndorsementKey.readCertificate(tpm, t.certificateIndex());
            if (cert.isPresent()) {
                return cert.get();
            }
        }
        throw new TpmException("the TPM holds no EK certificate (NV 0x01c0000a, 0x01c00002, 0x01c00016); a TPM without "
                + "one cannot prove which TPM it is");
    }

    /** The service's challenge: the enrollment token and the credential protected for this TPM's EK and AK. */
    public record Challenge(String token, CredentialFile credential) {
    }

    /**
     * Enrolls {@code key} with {@code ak} on the TPM whose EK certificate is {@code ekCertificate}:
     * {@link #begin}, {@link #activate}, {@link #finish}.
     *
     * @param eventLog the boot event log, or null
     * @throws ServiceRefusal with the service's verdict
     */
    public Result enroll(Tpm tpm, X509Certificate ekCertificate, TpmKey key, TpmKey ak, String group,
            List<TpmsPcrSelection> pcrs, byte[] eventLog) throws IOException {
        Challenge challenge = begin(tpm, ekCertificate, key, ak, group, pcrs, eventLog);
        return finish(challenge.token(), activate(tpm, ekCertificate, ak, challenge));
    }

    /** Sends the EK certificate, the AK and the key's evidence, bound to the connection; returns the challenge. */
    public Challenge begin(Tpm tpm, X509Certificate ekCertificate, TpmKey key, TpmKey ak, String group,
            List<TpmsPcrSelection> pcrs, byte[] eventLog) throws IOException {
        JsonNode challenge;
        try (BoundConnection c = client.connect(null)) {
            byte[] nonce = ChannelBinding.nonce(c.exporter());
            ObjectNode request = JSON.createObjectNode();
            request.put("group", group);
            request.put("ekCertificate", Base64.getEncoder().encodeToString(ekCertificate.getEncoded()));
            request.put("akPublic", HexFormat.of().formatHex(TpmWriter.marshal(ak.publicArea()::marshal)));
            request.set("keyEvidence", MachineEvidence.collect(tpm, key, ak, nonce, pcrs, eventLog).toJsonNode());
            challenge = client.postJson(c, "/attest/v1/enroll", request);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the EK certificate cannot be encoded", e);
        }
        try {
            return new Challenge(challenge.path("token").asText(),
                    CredentialFile.fromBytes(Base64.getDecoder().decode(challenge.path("credential").asText())));
        } catch (IllegalArgumentException e) {
            throw new IOException("the service's challenge is malformed: " + e.getMessage(), e);
        }
    }

    /** Recovers the challenge's credential with TPM2_ActivateCredential (the EK of the certificate, the AK). */
    public static byte[] activate(Tpm tpm, X509Certificate ekCertificate, TpmKey ak, Challenge challenge) {
        try (EndorsementKey ek = EndorsementKey.create(tpm, EkTemplate.forPublicKey(ekCertificate.getPublicKey()))) {
            return CredentialActivation.activate(tpm, ak, ek, challenge.credential());
        }
    }

    /** Answers the challenge (on a new connection, to any instance of the service); returns the certificates. */
    public Result finish(String token, byte[] secret) throws IOException {
        ObjectNode activation = JSON.createObjectNode();
        activation.put("token", token);
        activation.put("secret", Base64.getEncoder().encodeToString(secret));
        JsonNode issued;
        try (BoundConnection c = client.connect(null)) {
            issued = client.postJson(c, "/attest/v1/activate", activation);
        }
        return new Result(issued.path("device").asText(), pem(issued, "certificate"), pem(issued, "akCertificate"),
                pem(issued, "caCertificate"));
    }

    private static X509Certificate pem(JsonNode n, String field) throws IOException {
        List<X509Certificate> certs = EkCertificateVerifier.readCertificates(
                n.path(field).asText().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (certs.isEmpty()) {
            throw new IOException("the service's answer has no \"" + field + "\" certificate");
        }
        return certs.get(0);
    }
}
