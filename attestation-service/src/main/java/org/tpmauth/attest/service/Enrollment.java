package org.tpmauth.attest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.credential.CredentialFile;
import org.tpmauth.attestation.credential.CredentialMaker;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EkVerdict;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * First contact, after the TCG LDevID procedure: the machine sends its EK certificate, its AK's public
 * area, and evidence for the key to certify (TPM2_Certify by the AK, a quote, the boot log), all with
 * the nonce of its connection. {@link #begin} checks the EK chain, that the AK is a restricted fixedTPM
 * key, the certification, and the quote against the group's reference state, then challenges with a
 * credential only that TPM can recover (software MakeCredential to the EK, for the AK's Name).
 * {@link #activate} (on any instance) issues the AK and the machine certificate for the right answer.
 *
 * <p>Request JSON: {@code {"group": "default", "ekCertificate": "base64 DER", "akPublic": "hex
 * TPMT_PUBLIC", "keyEvidence": {...}}}; challenge: {@code {"token", "credential": "base64 (tpm2-tools
 * credential file)"}}; activation: {@code {"token", "secret": "base64"}}.
 */
public final class Enrollment {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Verification verification;

    public Enrollment(Verification verification) {
        this.verification = verification;
    }

    /** The challenge: an enrollment token and the protected credential. */
    public record Challenge(String token, CredentialFile credential) {
        public ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("token", token);
            n.put("credential", Base64.getEncoder().encodeToString(credential.toBytes()));
            return n;
        }
    }

    /** The certificates of an enrolled machine. */
    public record Issued(String device, X509Certificate akCertificate, X509Certificate machineCertificate) {
    }

    /**
     * Judges the request; {@code nonce} is the one the machine used (derived from its connection).
     *
     * @throws Refusal with every failed check
     */
    public Challenge begin(JsonNode request, byte[] nonce) throws Refusal, SQLException {
        String group = request.path("group").asText(Verification.DEFAULT_GROUP);
        X509Certificate ek;
        TpmtPublic ak;
        KeyEvidence evidence;
        try {
            List<X509Certificate> certs = EkCertificateVerifier.readCertificates(
                    Base64.getDecoder().decode(request.path("ekCertificate").asText()));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("\"ekCertificate\" holds no X.509 certificate");
            }
            ek = certs.get(0);
            ak = PublicAreas.read(KeyEvidence.hex(request, "akPublic"), "akPublic");
            evidence = KeyEvidence.fromJson(request.get("keyEvidence"));
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("request", "malformed enrollment request: " + e.getMessage());
        }
        String device = CertificateAuthority.deviceName(ek.getPublicKey());
        List<Failure> failures = new ArrayList<>();
        EkVerdict ekVerdict = verification.ekRoots().verify(ek, null);
        if (!ekVerdict.valid()) {
            failures.add(new Failure("ek-certificate", ekVerdict.toString()));
        }
        EkTemplate template = null;
        try {
            template = EkTemplate.forPublicKey(ek.getPublicKey());
        } catch (IllegalArgumentException e) {
            failures.add(new Failure("ek-certificate", e.getMessage()));
        }
        try {
            AttestationKeys.requireAttestationKey(ak);
        } catch (IllegalArgumentException e) {
            failures.add(new Failure("ak", e.getMessage() + "; only a restricted fixedTPM key proves its quotes"));
        }
        failures.addAll(verification.judge(ak, evidence, nonce, group));
        verification.database().recordVerdict(device, "enroll", failures.isEmpty(), Refusal.text(failures));
        if (!failures.isEmpty()) {
            throw new Refusal(403, failures);
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        CredentialFile credential = CredentialMaker.make(ek.getPublicKey(), template, ak.name(), secret);
        ChallengeToken token = ChallengeToken.issue(Instant.now().plus(verification.tokenLifetime()), secret, device,
                group, ak, evidence.keyPublic());
        return new Challenge(token.seal(verification.tokenKey()), credential);
    }

    /**
     * Issues the certificates for the recovered credential.
     *
     * @throws Refusal for an expired, forged or used token, or a wrong answer
     */
    public Issued activate(JsonNode request) throws Refusal, SQLException {
        ChallengeToken token = ChallengeToken.open(request.path("token").asText(), verification.tokenKey(), Instant.now());
        byte[] answer;
        try {
            answer = Base64.getDecoder().decode(request.path("secret").asText());
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("request", "\"secret\" is not base64: " + e.getMessage());
        }
        if (!verification.database().useToken(token.idHex())) {
            verification.database().recordVerdict(token.device(), "activate", false, "token used before");
            throw Refusal.forbidden("token", "this enrollment token was used before (a replay); start the enrollment "
                    + "again");
        }
        if (!token.matches(answer)) {
            verification.database().recordVerdict(token.device(), "activate", false, "wrong credential");
            throw Refusal.forbidden("activation", "the recovered credential is wrong: the AK is not on the TPM that "
                    + "holds the EK of the certificate");
        }
        if (verification.database().revocation(token.device()).isPresent()) {
            throw Refusal.forbidden("revoked", "device " + token.device() + " is revoked");
        }
        PublicKey akKey = token.ak().toPublicKey();
        X509Certificate akCert = verification.ca().issueAk(akKey, token.device(), token.group());
        X509Certificate machine = verification.ca().issueMachine(token.key().toPublicKey(), token.device(), token.group());
        verification.database().recordCertificate(token.device(), "ak", akCert);
        verification.database().recordCertificate(token.device(), "machine", machine);
        verification.database().recordVerdict(token.device(), "activate", true, "");
        return new Issued(token.device(), akCert, machine);
    }
}
