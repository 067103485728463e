package org.tpmauth.tss.keys;

import java.io.IOException;

/**
 * Bytes that are not a well-formed {@code TSS2 PRIVATE KEY} file: not PEM or DER, the wrong PEM
 * label, the wrong ASN.1 structure, a bad parent handle. The message says what is wrong and never
 * contains the key's blobs. An {@link IOException} so that reading a key file from disk has one
 * failure type, like {@link java.util.zip.ZipException}.
 */
public class KeyFileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyFileFormatException(String message) {
        super(message);
    }
}
