package org.tpmauth.demo;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.operator.OperatorCreationException;
import org.tpmauth.attestation.AttestationVerifier;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.credential.CredentialFile;
import org.tpmauth.attestation.credential.CredentialMaker;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EkVerdict;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * The network's side of enrollment, in process: it trusts one TPM manufacturer and one reference
 * state, and gives a short-lived machine certificate only to a key that an attestation key of a genuine
 * TPM certified, on a machine whose quote and event log satisfy the reference state, after that TPM
 * proved it holds the EK by activating a credential.
 */
final class EnrollmentDesk {
    /** What a machine sends at first contact. */
    record Request(X509Certificate ekCertificate, PublicKey ekPublicKey, TpmtPublic akPublic, TpmtPublic keyPublic,
            KeyCertification.Evidence certification, Evidence quote, String subject) {
    }

    /** The outcome: a certificate, or the checks that failed. */
    record Outcome(X509Certificate certificate, List<Failure> failures) {
        boolean ok() {
            return certificate != null;
        }

        /** The first failure as one line, for people. */
        String reason() {
            return failures.isEmpty() ? "" : failures.get(0).check() + ": " + failures.get(0).message();
        }
    }

    private final EkCertificateVerifier manufacturers;
    private final RefState reference;
    private final List<TpmsPcrSelection> selection;
    private final ThrowawayCa ca;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();

    EnrollmentDesk(X509Certificate manufacturerRoot, RefState reference, List<TpmsPcrSelection> selection,
            ThrowawayCa ca, Duration lifetime) {
        this.manufacturers = new EkCertificateVerifier(List.of(manufacturerRoot), List.of());
        this.reference = reference;
        this.selection = selection;
        this.ca = ca;
        this.lifetime = lifetime;
    }

    /** A fresh nonce for the machine's quote and certification. */
    byte[] nonce() {
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        return nonce;
    }

    /**
     * Checks the request made with {@code nonce}; when every check holds, challenges the TPM with a
     * credential ({@code activation} is the machine's TPM2_ActivateCredential) and issues the
     * certificate only for the right answer.
     */
    Outcome enroll(Request request, byte[] nonce, Function<CredentialFile, byte[]> activation)
            throws GeneralSecurityException, OperatorCreationException {
        List<Failure> failures = new ArrayList<>();
        EkVerdict ek = manufacturers.verify(request.ekCertificate(), request.ekPublicKey());
        if (!ek.valid()) {
            failures.add(new Failure("ek-certificate", ek.message()));
        }
        try {
            AttestationKeys.requireAttestationKey(request.akPublic());
        } catch (IllegalArgumentException e) {
            failures.add(new Failure("attestation-key", e.getMessage()));
        }
        failures.addAll(KeyCertification.verify(request.akPublic(), request.keyPublic(), request.certification(), nonce));
        failures.addAll(attest(request.akPublic(), request.quote(), nonce));
        if (!failures.isEmpty()) {
            return new Outcome(null, failures);
        }
        byte[] secret = nonce();
        CredentialFile credential = CredentialMaker.make(request.ekPublicKey(),
                EkTemplate.forPublicKey(request.ekPublicKey()), request.akPublic().name(), secret);
        byte[] answer;
        try {
            answer = activation.apply(credential);
        } catch (RuntimeException e) {
            return new Outcome(null, List.of(new Failure("credential", "the TPM could not activate the credential: "
                    + e.getMessage())));
        }
        if (!MessageDigest.isEqual(secret, answer)) {
            return new Outcome(null, List.of(new Failure("credential", "the activated credential is wrong: the "
                    + "attestation key is not in the TPM of that EK")));
        }
        return new Outcome(issue(request.subject(), request.keyPublic()), List.of());
    }

    /** Renewal: a fresh quote by the enrolled AK, judged as at enrollment; a new certificate when it holds. */
    Outcome renew(TpmtPublic akPublic, TpmtPublic keyPublic, Evidence quote, byte[] nonce, String subject)
            throws GeneralSecurityException, OperatorCreationException {
        List<Failure> failures = attest(akPublic, quote, nonce);
        return failures.isEmpty() ? new Outcome(issue(subject, keyPublic), List.of()) : new Outcome(null, failures);
    }

    private List<Failure> attest(TpmtPublic akPublic, Evidence quote, byte[] nonce) {
        return AttestationVerifier.verify(akPublic, quote, nonce, selection, null, reference).failures();
    }

    private X509Certificate issue(String subject, TpmtPublic keyPublic)
            throws GeneralSecurityException, OperatorCreationException {
        return ca.issue(new X500Name("CN=" + subject), keyPublic.toPublicKey(), lifetime, KeyPurposeId.id_kp_clientAuth);
    }
}
