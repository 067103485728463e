package org.tpmauth.attestation;

import java.util.Map;

/**
 * One check that did not hold, for people ({@code message}) and programs ({@code check}, a stable
 * identifier such as {@code signature}, {@code nonce}, {@code pcr-digest}, {@code replay:sha256:7},
 * {@code secure-boot}; {@code context}, e.g. the event index, PCR, type and value that broke a rule).
 */
public record Failure(String check, String message, Map<String, String> context) {
    public Failure {
        context = Map.copyOf(context);
    }

    public Failure(String check, String message) {
        this(check, message, Map.of());
    }

    @Override
    public String toString() {
        return check + ": " + message;
    }
}
