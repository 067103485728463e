package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeviceTcti on real files, FIFOs and character devices. There is no TPM device here, and no
 * tpm_vtpm_proxy module to give swtpm one, so a real TPM is left to machines that have one.
 */
class DeviceTctiTest {
    private static final byte[] GET_RANDOM_8 = {(byte) 0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 8};

    @TempDir
    Path tmp;

    private static String openError(Path path) {
        return assertThrows(TpmTransportException.class, () -> new DeviceTcti(path)).getMessage();
    }

    private static String transmitError(Path device) {
        try (DeviceTcti tcti = new DeviceTcti(device)) {
            assertEquals("device:" + device, tcti.describe());
            return assertThrows(TpmTransportException.class, () -> tcti.transmit(GET_RANDOM_8)).getMessage();
        }
    }

    @Test
    void aMissingDeviceSaysThereIsNoTpmAndWhatToUseInstead() {
        assertEquals("no TPM device at " + tmp.resolve("tpmrm0") + ": this machine has no TPM or the kernel module is "
                + "not loaded; use --tcti swtpm:host=127.0.0.1,port=2321 or libtpms:DIR",
                openError(tmp.resolve("tpmrm0")));
    }

    @Test
    void permissionDeniedSaysHowToJoinTheTssGroup() throws Exception {
        Path device = Files.createFile(tmp.resolve("tpm0"));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("---------"));
        String expected = "permission denied opening " + device + ": add your user to the `tss` group: sudo usermod "
                + "-aG tss $USER, then log in again";
        if (!Files.isReadable(device)) {
            assertEquals(expected, openError(device));
            return;
        }
        // root reads any file: ask a child JVM that runs without the capabilities that allow it
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "running as root without setpriv to drop root's file access");
        TransportProbe.Result r = TransportProbe.run(
                List.of(setpriv.toString(), "--bounding-set", "-dac_override,-dac_read_search", "--"), "device",
                device);
        assertEquals(3, r.exitCode(), r.output());
        assertTrue(r.output().endsWith(expected), r.output());
    }

    @Test
    void aDirectoryIsNotADevice() {
        String m = openError(tmp);
        assertTrue(m.startsWith("cannot open TPM device " + tmp + ": "), m);
    }

    @Test
    void aDeviceThatAnswersNothing() {
        assertEquals("TPM device /dev/null returned 0 bytes for TPM2_GetRandom, less than a response header: is "
                + "/dev/null a TPM?", transmitError(Path.of("/dev/null")));
    }

    @Test
    void aDeviceThatAnswersZeros() {
        String m = transmitError(Path.of("/dev/zero"));
        assertTrue(m.startsWith("TPM device /dev/zero sent a response of 0 bytes to TPM2_GetRandom"), m);
    }

    @Test
    void aDeviceThatRefusesTheWrite() {
        String m = transmitError(Path.of("/dev/full"));
        assertTrue(m.startsWith("TPM device /dev/full failed during TPM2_GetRandom: "), m);
    }

    @Test
    void oneWriteAndOneReadCarryAWholeBuffer() throws Exception {
        // a FIFO opened for reading and writing gives back what was written, in one read, as a TPM does
        Path fifo = tmp.resolve("echo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo failed");
        try (DeviceTcti tcti = new DeviceTcti(fifo)) {
            assertArrayEquals(GET_RANDOM_8, tcti.transmit(GET_RANDOM_8));
            byte[] truncated = GET_RANDOM_8.clone();
            truncated[5] = 20; // declares 20 bytes, 12 arrive
            TpmTransportException e = assertThrows(TpmTransportException.class, () -> tcti.transmit(truncated));
            assertEquals("TPM device " + fifo + " returned 12 bytes for TPM2_GetRandom but the response header "
                    + "declares 20", e.getMessage());
        }
    }
}
