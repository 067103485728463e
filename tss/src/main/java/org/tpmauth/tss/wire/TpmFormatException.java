package org.tpmauth.tss.wire;

/**
 * Bytes that do not form the TPM structure we expected: a truncated response, a size field that
 * points past the end, an unknown union selector. Names the structure and the byte offset.
 */
public class TpmFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String structure;
    private final int offset;

    public TpmFormatException(String structure, int offset, String problem) {
        super(structure + " at offset " + offset + ": " + problem);
        this.structure = structure;
        this.offset = offset;
    }

    /** The TPM structure (by its spec name) that was being read. */
    public String structure() {
        return structure;
    }

    /** Offset in the input where reading failed. */
    public int offset() {
        return offset;
    }
}
