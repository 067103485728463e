package org.tpmauth.tss.commands;

/** How responses show byte arrays that hold secrets or private blobs in toString: the length only. */
final class Hidden {
    private Hidden() {
    }

    static String of(byte[] secret) {
        return "<" + secret.length + " bytes hidden>";
    }
}
