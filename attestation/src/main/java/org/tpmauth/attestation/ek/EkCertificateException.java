package org.tpmauth.attestation.ek;

/** An EK certificate that cannot be read at all (not DER, not X.509). */
public class EkCertificateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EkCertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}
