package org.tpmauth.tss.fapi;

/**
 * A keystore object, FAPI configuration, profile or JSON policy that is not what FAPI writes: bad
 * JSON, a missing field, a value of the wrong kind. The message names the file and the field
 * ("/keystore/P_ECCP256SHA256/HS/SRK/k/object.json: public.publicArea.type: ...").
 */
public class FapiFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String where;

    public FapiFormatException(String where, String problem) {
        super(where + ": " + problem);
        this.where = where;
    }

    public FapiFormatException(String where, String problem, Throwable cause) {
        super(where + ": " + problem, cause);
        this.where = where;
    }

    /** The file (or source) and the field path that failed. */
    public String where() {
        return where;
    }
}
