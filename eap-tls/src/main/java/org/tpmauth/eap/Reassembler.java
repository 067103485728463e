package org.tpmauth.eap;

import java.io.ByteArrayOutputStream;

/**
 * Joins the fragments of one TLS message (RFC 5216 2.1.5): the first fragment of a fragmented message
 * carries L (the total length), every fragment but the last carries M. The total is bounded; a fragment
 * past the announced length, a changed length, or a last fragment short of it is an error.
 */
final class Reassembler {
    private final int maxMessageSize;
    private ByteArrayOutputStream buffer;
    private long expected = -1;

    Reassembler(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** True between the first and the last fragment of a message. */
    boolean inProgress() {
        return buffer != null;
    }

    /** Adds a fragment; returns the whole message after its last fragment, else null (acknowledge it). */
    byte[] add(EapTlsFragment f) throws EapTlsException {
        if (f.start()) {
            throw new EapTlsException("EAP-TLS Start flag in the middle of the conversation");
        }
        if (buffer == null) {
            if (f.more() && f.totalLength() < 0) {
                throw new EapTlsException("first fragment of a fragmented TLS message without the L flag and length");
            }
            if (f.totalLength() > maxMessageSize) {
                throw new EapTlsException("TLS message of " + f.totalLength() + " bytes announced, more than the "
                        + maxMessageSize + " accepted");
            }
            expected = f.totalLength();
            buffer = new ByteArrayOutputStream();
        } else if (f.totalLength() >= 0 && f.totalLength() != expected) {
            throw new EapTlsException("TLS Message Length changed from " + expected + " to " + f.totalLength()
                    + " between fragments");
        }
        long size = (long) buffer.size() + f.size();
        if (expected >= 0 ? size > expected : size > maxMessageSize) {
            throw new EapTlsException("fragments of " + size + " bytes exceed the " + (expected >= 0
                    ? "announced TLS Message Length " + expected : "accepted maximum " + maxMessageSize));
        }
        buffer.writeBytes(f.data());
        if (f.more()) {
            return null;
        }
        byte[] message = buffer.toByteArray();
        buffer = null;
        if (expected >= 0 && message.length != expected) {
            throw new EapTlsException("last fragment ends the TLS message at " + message.length
                    + " bytes, the L flag announced " + expected);
        }
        return message;
    }
}
