package org.tpmauth.tss.transport;

/** Placeholder until the transport lands. */
public final class DeviceTcti implements Tcti {
    public DeviceTcti(java.nio.file.Path path) {
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
