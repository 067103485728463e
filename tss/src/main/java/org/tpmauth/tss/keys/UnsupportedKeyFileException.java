package org.tpmauth.tss.keys;

/**
 * A well-formed {@code TSS2 PRIVATE KEY} file that uses something tpmauth does not implement yet
 * (a TPM policy, an import secret, an importable or sealed key type...). Refusing such a file is
 * deliberate: loading it while ignoring the field would give a key that fails later, or a wrong one.
 */
public class UnsupportedKeyFileException extends KeyFileFormatException {
    private static final long serialVersionUID = 1L;

    public UnsupportedKeyFileException(String message) {
        super(message);
    }
}
