package org.tpmauth.tss.transport;

/** Placeholder until the transport lands. */
public final class SwtpmTcti implements Tcti {
    public SwtpmTcti(String host, int port) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public byte[] transmit(byte[] command) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String describe() {
        return "";
    }

    @Override
    public void close() {
    }
}
