package org.tpmauth.attest.service;

import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/** TPMT_PUBLIC bytes from outside: read completely, nothing after them. */
final class PublicAreas {
    private PublicAreas() {
    }

    static TpmtPublic read(byte[] data, String field) {
        try {
            TpmReader in = new TpmReader(data).enter(field);
            TpmtPublic p = TpmtPublic.read(in);
            in.expectEnd();
            return p;
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not a TPMT_PUBLIC: " + e.getMessage(), e);
        }
    }
}
