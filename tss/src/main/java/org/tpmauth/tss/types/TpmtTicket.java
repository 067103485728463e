package org.tpmauth.tss.types;

import java.util.Objects;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A ticket: TPMT_TK_CREATION, TPMT_TK_VERIFIED, TPMT_TK_HASHCHECK or TPMT_TK_AUTH, which share one
 * layout (a TPM_ST tag naming the kind, the hierarchy, an HMAC digest). A NULL ticket has hierarchy
 * TPM_RH_NULL and an empty digest.
 */
public record TpmtTicket(int tag, int hierarchy, byte[] digest) implements TpmMarshallable {
    public TpmtTicket {
        Objects.requireNonNull(digest, "digest");
    }

    /** The NULL TPMT_TK_HASHCHECK: what TPM2_Sign takes for a digest the TPM did not compute itself. */
    public static TpmtTicket nullHashcheck() {
        return new TpmtTicket(TpmSt.HASHCHECK, TpmHandles.RH_NULL, new byte[0]);
    }

    /** Whether this is a NULL ticket (hierarchy TPM_RH_NULL). */
    public boolean isNull() {
        return hierarchy == TpmHandles.RH_NULL;
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u16(tag).u32(hierarchy).sized(digest);
    }

    /** Reads a ticket whose tag must be {@code expectedTag} (e.g. TpmSt.CREATION). */
    public static TpmtTicket read(TpmReader in, int expectedTag) {
        return in.struct(structureName(expectedTag), r -> {
            int start = r.position();
            int tag = r.u16();
            if (tag != expectedTag) {
                throw new TpmFormatException(r.structure(), start, String.format("tag 0x%04x, expected 0x%04x",
                        tag, expectedTag));
            }
            return new TpmtTicket(tag, r.u32(), r.sized(Tpm2bLimits.DIGEST));
        });
    }

    /** The spec name of the ticket with this tag. */
    public static String structureName(int tag) {
        return switch (tag) {
            case TpmSt.CREATION -> "TPMT_TK_CREATION";
            case TpmSt.VERIFIED -> "TPMT_TK_VERIFIED";
            case TpmSt.HASHCHECK -> "TPMT_TK_HASHCHECK";
            case TpmSt.AUTH_SECRET, TpmSt.AUTH_SIGNED -> "TPMT_TK_AUTH";
            default -> throw new IllegalArgumentException(String.format("0x%04x is not a ticket tag", tag));
        };
    }
}
