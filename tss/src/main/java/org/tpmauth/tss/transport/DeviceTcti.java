package org.tpmauth.tss.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A TPM character device: /dev/tpmrm0 (the kernel's resource manager, shared) or /dev/tpm0 (raw, one
 * user at a time). A command is one write; the kernel hands back the whole response to one read.
 */
public final class DeviceTcti implements Tcti {
    /** Larger than the kernel's TPM buffer (4096), so one read always takes the whole response. */
    private static final int READ_BUFFER = 8192;

    private final Path path;
    private final FileChannel device;
    /** Kept across commands (transmit is synchronized): a fresh 8 KiB per command is two new heap pages. */
    private final ByteBuffer response = ByteBuffer.allocate(READ_BUFFER);

    /** Opens the device for reading and writing. */
    public DeviceTcti(Path path) {
        this.path = path;
        try {
            this.device = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new TpmTransportException("no TPM device at " + path + ": this machine has no TPM or the kernel "
                    + "module is not loaded; use --tcti swtpm:host=127.0.0.1,port=2321 or libtpms:DIR", e);
        } catch (AccessDeniedException e) {
            throw new TpmTransportException("permission denied opening " + path + ": add your user to the `tss` "
                    + "group: sudo usermod -aG tss $USER, then log in again", e);
        } catch (FileSystemException e) {
            throw new TpmTransportException(openFailure(e), e);
        } catch (IOException e) {
            throw new TpmTransportException("cannot open TPM device " + path + ": " + e.getMessage(), e);
        }
    }

    private String openFailure(FileSystemException e) {
        String reason = String.valueOf(e.getReason());
        if (reason.contains("busy")) {
            return path + " is busy: another program holds it (the raw device allows one user at a time; "
                    + "tpm2-abrmd?); use /dev/tpmrm0, the kernel's resource manager, or stop that program";
        }
        return "cannot open TPM device " + path + ": " + reason;
    }

    @Override
    public synchronized byte[] transmit(byte[] command) {
        response.clear();
        int n;
        try {
            ByteBuffer out = ByteBuffer.wrap(command);
            while (out.hasRemaining()) {
                device.write(out);
            }
            n = device.read(response);
        } catch (IOException e) {
            throw new TpmTransportException("TPM device " + path + " failed during " + TpmFrames.commandName(command) + ": " + e.getMessage(),
                    e);
        }
        if (n < TpmFrames.HEADER) {
            throw new TpmTransportException("TPM device " + path + " returned " + Math.max(n, 0) + " bytes for "
                    + TpmFrames.commandName(command) + ", less than a response header: is " + path + " a TPM?");
        }
        byte[] bytes = Arrays.copyOf(response.array(), n);
        int size = TpmFrames.responseSize(bytes, "TPM device " + path, command);
        if (size != n) {
            throw new TpmTransportException("TPM device " + path + " returned " + n + " bytes for " + TpmFrames.commandName(command)
                    + " but the response header declares " + size);
        }
        return bytes;
    }

    @Override
    public String describe() {
        return "device:" + path;
    }

    @Override
    public synchronized void close() {
        try {
            device.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
