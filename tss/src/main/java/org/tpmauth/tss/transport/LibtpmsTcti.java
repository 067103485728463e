package org.tpmauth.tss.transport;

/** Placeholder until the transport lands. */
public final class LibtpmsTcti {
    public static Tcti open(java.nio.file.Path stateDir) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
