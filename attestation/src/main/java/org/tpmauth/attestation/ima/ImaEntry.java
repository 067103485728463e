package org.tpmauth.attestation.ima;

/**
 * One IMA measurement (template ima-ng or ima-sig): the PCR, the SHA-1 template hash as logged
 * (all zeros for a violation), the template name, the file digest with its algorithm, the path, the
 * signature (ima-sig, may be empty) and the raw template data the PCR is extended with.
 */
public record ImaEntry(int index, int pcr, byte[] templateHash, String template, String fileHashAlgorithm,
        byte[] fileHash, String path, byte[] signature, byte[] templateData) {
    /** A violation (a file measured while open for writing): logged as zeros, extended as all ones. */
    public boolean violation() {
        for (byte b : templateHash) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
