package org.tpmauth.tss.fapi.policy;

/**
 * A JSON policy that could not be computed or satisfied; the message names the element that failed,
 * e.g. "branch 2 of PolicyOR: element 1 (PolicyPCR): the PCRs no longer hold the values ...".
 */
public class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }

    public PolicyException(String message) {
        super(message);
    }
}
