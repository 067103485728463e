package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmReader;

/**
 * The response of TPM2_PolicySecret and TPM2_PolicySigned: the TPM2B_TIMEOUT until which the
 * TPMT_TK_AUTH {@code policyTicket} is valid (both empty / NULL unless a negative expiration asked
 * for a ticket).
 */
public record PolicyTicketResponse(byte[] timeout, TpmtTicket policyTicket) {
    /** TPM2B_TIMEOUT holds a UINT64. */
    private static final int TIMEOUT_MAX = 8;

    static PolicyTicketResponse read(TpmReader in, int ticketTag) {
        return new PolicyTicketResponse(in.sized(TIMEOUT_MAX), TpmtTicket.read(in, ticketTag));
    }
}
