package org.tpmauth.attest.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import org.tpmauth.attestation.AttestationVerifier;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * What every instance of the service shares: the CA, the trusted EK roots, the reference state of
 * each device group, the database and the token key; and the one check both enrollment and renewal
 * make of a key's evidence.
 */
public record Verification(CertificateAuthority ca, EkCertificateVerifier ekRoots, Map<String, RefState> refStates,
        Database database, SecretKey tokenKey, Duration tokenLifetime) {
    /** The group a machine lands in when it names none. */
    public static final String DEFAULT_GROUP = "default";

    public Verification {
        refStates = Map.copyOf(refStates);
    }

    /** The reference state of {@code group}. */
    public RefState refState(String group) throws Refusal {
        RefState ref = refStates.get(group);
        if (ref == null) {
            throw Refusal.forbidden("group", "the service has no reference state for device group '" + group
                    + "'; known groups: " + refStates.keySet());
        }
        return ref;
    }

    /**
     * Every failure of {@code evidence} for nonce {@code nonce}: the key certified by the AK (fixedTPM,
     * fixedParent, the same Name), the quote, the replayed boot log and the group's reference state.
     */
    public List<Failure> judge(TpmtPublic ak, KeyEvidence evidence, byte[] nonce, String group) throws Refusal {
        RefState ref = refState(group);
        List<Failure> failures = new ArrayList<>();
        KeyCertification.verify(ak, evidence.keyPublic(), evidence.certify(), nonce).forEach(f ->
                failures.add(new Failure("certify:" + f.check(), f.message(), f.context())));
        failures.addAll(AttestationVerifier.verify(ak, evidence.evidence(), nonce, null, null, ref).failures());
        return failures;
    }
}
