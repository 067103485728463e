package org.tpmauth.demo.network;

import java.util.concurrent.atomic.AtomicLong;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmCc;

/**
 * A transport that counts the TPM2_Sign commands passing through it, whoever sends them (the PKCS#11 token for
 * wpa_supplicant and charon, the OpenVPN backend, TLS for MQTT): the demo's "TPM signatures" column.
 */
public final class SignatureCounter implements Tcti {
    /** The command code sits after the tag (2 bytes) and the size (4 bytes). */
    private static final int CODE_OFFSET = 6;

    private final Tcti tcti;
    private final AtomicLong signatures = new AtomicLong();

    public SignatureCounter(Tcti tcti) {
        this.tcti = tcti;
    }

    /** TPM2_Sign commands sent so far. */
    public long signatures() {
        return signatures.get();
    }

    @Override
    public byte[] transmit(byte[] command) {
        if (command.length >= CODE_OFFSET + 4 && code(command) == TpmCc.Sign) {
            signatures.incrementAndGet();
        }
        return tcti.transmit(command);
    }

    private static int code(byte[] command) {
        return (command[CODE_OFFSET] & 0xff) << 24 | (command[CODE_OFFSET + 1] & 0xff) << 16
                | (command[CODE_OFFSET + 2] & 0xff) << 8 | command[CODE_OFFSET + 3] & 0xff;
    }

    @Override
    public void cancel() {
        tcti.cancel();
    }

    @Override
    public String describe() {
        return tcti.describe();
    }

    @Override
    public void close() {
        tcti.close();
    }
}
