package org.tpmauth.attest.service;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * EST simplereenroll (RFC 7030 4.2.2) with attestation: the machine authenticates with its current
 * certificate, and its PKCS#10 request carries evidence ({@link EvidenceAttribute}) whose nonce is
 * derived from this very TLS connection's exporter ({@link ChannelBinding}). The request's key must be
 * the current certificate's, certified by the AK of the AK certificate this CA issued to the same
 * device, and the quote must satisfy the device group's reference state.
 */
public final class Renewal {
    private final Verification verification;

    public Renewal(Verification verification) {
        this.verification = verification;
    }

    /**
     * @param client   the TLS client's validated chain (leaf first), empty when it sent none
     * @param exporter the connection's tls-exporter value
     * @throws Refusal naming every failed check
     */
    public X509Certificate reenroll(PKCS10CertificationRequest csr, List<X509Certificate> client, byte[] exporter)
            throws Refusal, SQLException {
        if (client.isEmpty()) {
            throw Refusal.forbidden("client-certificate", "renewal needs TLS client authentication with the current "
                    + "certificate (and its TPM key); a machine without one enrolls first");
        }
        X509Certificate current = client.get(0);
        PublicKey key;
        try {
            key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            if (!csr.isSignatureValid(EstMessages.verifiers(key))) {
                throw Refusal.badRequest("csr", "the certificate request's signature does not verify");
            }
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw Refusal.badRequest("csr", "the certificate request cannot be checked: " + e.getMessage());
        }
        CertificateAuthority.DeviceName name = CertificateAuthority.deviceOf(current);
        if (!Arrays.equals(key.getEncoded(), current.getPublicKey().getEncoded())) {
            throw Refusal.forbidden("csr-key", "the request is for another key than the current certificate's; "
                    + "a new key enrolls anew");
        }
        EvidenceAttribute.Content content = EvidenceAttribute.read(csr);
        X509Certificate akCert = content.akCertificate();
        if (!verification.ca().issued(akCert)) {
            throw Refusal.forbidden("ak-certificate", "the AK certificate is not one this CA issued, or expired");
        }
        if (!CertificateAuthority.deviceOf(akCert).equals(name)) {
            throw Refusal.forbidden("ak-certificate", "the AK certificate belongs to "
                    + CertificateAuthority.deviceOf(akCert).device() + ", not to " + name.device());
        }
        var revoked = verification.database().revocation(name.device());
        if (revoked.isPresent()) {
            verification.database().recordVerdict(name.device(), "renew", false, "revoked: " + revoked.get());
            throw Refusal.forbidden("revoked", "device " + name.device() + " is revoked: " + revoked.get());
        }
        TpmtPublic ak = CertificateAuthority.akPublicArea(akCert);
        List<Failure> failures = new java.util.ArrayList<>();
        if (!Arrays.equals(content.evidence().keyPublic().toPublicKey().getEncoded(), key.getEncoded())) {
            failures.add(new Failure("certify:key", "the certified key is not the request's key"));
        }
        failures.addAll(verification.judge(ak, content.evidence(), ChannelBinding.nonce(exporter), name.group()));
        if (!failures.isEmpty()) {
            verification.database().recordVerdict(name.device(), "renew", false, Refusal.text(failures));
            throw new Refusal(403, failures);
        }
        X509Certificate renewed = verification.ca().issueMachine(key, name.device(), name.group());
        verification.database().recordIssued(name.device(), "renew", Refusal.text(failures), "machine", renewed);
        return renewed;
    }
}
