package org.tpmauth.eap;

import java.util.Arrays;

/** Cuts one outgoing TLS message into EAP-TLS fragments; L is set on the first of several, M on all but the last. */
final class Fragmenter {
    private final byte[] message;
    private final int pieceSize;
    private int offset;

    Fragmenter(byte[] message, int pieceSize) {
        this.message = message.clone();
        this.pieceSize = pieceSize;
    }

    boolean hasNext() {
        return offset < message.length;
    }

    EapTlsFragment next() {
        boolean first = offset == 0;
        int end = Math.min(message.length, offset + pieceSize);
        boolean more = end < message.length;
        long total = first && more ? message.length : -1;
        EapTlsFragment f = new EapTlsFragment(more, false, total, Arrays.copyOfRange(message, offset, end));
        offset = end;
        return f;
    }
}
