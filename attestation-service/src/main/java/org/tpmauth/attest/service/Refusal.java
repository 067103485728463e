package org.tpmauth.attest.service;

import java.util.List;
import org.tpmauth.attestation.AttestationVerifier;
import org.tpmauth.attestation.Failure;

/**
 * A request the service refuses, with the HTTP status to answer and every failed check (the verdict
 * a machine gets back, naming the rule and the event that broke it).
 */
public final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<Failure> failures;

    public Refusal(int status, List<Failure> failures) {
        super(text(failures));
        this.status = status;
        this.failures = List.copyOf(failures);
    }

    public static Refusal badRequest(String check, String message) {
        return new Refusal(400, List.of(new Failure(check, message)));
    }

    public static Refusal forbidden(String check, String message) {
        return new Refusal(403, List.of(new Failure(check, message)));
    }

    public int status() {
        return status;
    }

    public List<Failure> failures() {
        return failures;
    }

    /** One "FAIL check: message" line per failure, as the verifier's text verdict. */
    public static String text(List<Failure> failures) {
        return new AttestationVerifier.Verdict(failures, null, null).toText();
    }
}
