package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.testing.SwtpmExtension;

/** MssimTcti through {@link MssimBridge}: reference-simulator framing, a real swtpm behind it. */
class MssimTctiTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private MssimBridge bridge;

    @BeforeEach
    void startBridge() throws IOException {
        bridge = new MssimBridge(SWTPM.port());
    }

    @AfterEach
    void stopBridge() throws IOException {
        bridge.close();
    }

    @Test
    void getRandomAndThePowerOnOfOpening() {
        try (Tpm tpm = new Tpm(new MssimTcti("127.0.0.1", bridge.port()))) {
            assertEquals(16, tpm.execute(new GetRandom(16)).randomBytes().length);
            assertEquals(List.of(MssimTcti.TPM_SIGNAL_POWER_ON, MssimTcti.TPM_SIGNAL_NV_ON), bridge.signals());
            assertEquals("mssim:host=127.0.0.1,port=" + bridge.port(), tpm.tcti().describe());
        }
    }

    @Test
    void openedFromItsConfigString() {
        try (Tpm tpm = Tpm.open("mssim:host=127.0.0.1,port=" + bridge.port())) {
            assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
        }
    }

    private static final byte[] GET_RANDOM_4 = {(byte) 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 4};

    @Test
    void powerCycleNeedsStartupLikeARealPowerOn() {
        try (Tpm tpm = new Tpm(new MssimTcti("127.0.0.1", bridge.port()))) {
            MssimTcti tcti = (MssimTcti) tpm.tcti();
            tcti.powerOff();
            tcti.powerOn();
            assertEquals(0x100, TpmFrames.responseCode(tcti.transmit(GET_RANDOM_4)), "TPM_RC_INITIALIZE");
            assertEquals(0, TpmFrames.responseCode(tcti.transmit(TpmFrames.startupClear())));
            assertEquals(4, tpm.execute(new GetRandom(4)).randomBytes().length);
        }
    }

    @Test
    void cancelSignalsOnAndTheNextResponseSignalsOff() {
        try (Tpm tpm = new Tpm(new MssimTcti("127.0.0.1", bridge.port()))) {
            tpm.tcti().cancel();
            tpm.execute(new GetRandom(4));
            tpm.execute(new GetRandom(4));
            assertEquals(List.of(MssimTcti.TPM_SIGNAL_POWER_ON, MssimTcti.TPM_SIGNAL_NV_ON,
                    MssimTcti.TPM_SIGNAL_CANCEL_ON, MssimTcti.TPM_SIGNAL_CANCEL_OFF), bridge.signals());
        }
    }

    @Test
    void theBridgeSpeaksWhatTpm2ToolsSpeaks() throws Exception {
        // tpm2-tss's own mssim TCTI through the same bridge: the framing under test is the real one
        Path tool = Path.of("/usr/bin/tpm2_getrandom");
        assumeTrue(Files.isExecutable(tool), "tpm2-tools is not installed");
        Process p = new ProcessBuilder(tool.toString(), "-T", "mssim:host=127.0.0.1,port=" + bridge.port(), "--hex",
                "12").redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.matches("[0-9a-f]{24}"), out);
    }

    @Test
    void aMissingAcknowledgementIsReported() {
        try (MssimTcti tcti = new MssimTcti("127.0.0.1", bridge.port())) {
            byte[] response = tcti.transmit(getRandom(2));
            bridge.rawAnswer = ByteBuffer.allocate(response.length + 8).putInt(response.length).put(response).putInt(7)
                    .array();
            TpmTransportException e = assertThrows(TpmTransportException.class, () -> tcti.transmit(getRandom(2)));
            assertTrue(e.getMessage().contains("ended its answer to TPM2_GetRandom with 7 instead of the "
                    + "acknowledgement 0"), e.getMessage());
            assertEquals(14, tcti.transmit(getRandom(2)).length, "the next command reconnects");
        }
    }

    @Test
    void anOversizedLengthIsReported() {
        try (MssimTcti tcti = new MssimTcti("127.0.0.1", bridge.port())) {
            bridge.rawAnswer = ByteBuffer.allocate(4).putInt(100_000).array();
            TpmTransportException e = assertThrows(TpmTransportException.class, () -> tcti.transmit(getRandom(2)));
            assertTrue(e.getMessage().contains("sent a response of 100000 bytes to TPM2_GetRandom"), e.getMessage());
        }
    }

    @Test
    void nothingListening() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int closed = port;
        TpmTransportException e = assertThrows(TpmTransportException.class, () -> new MssimTcti("127.0.0.1", closed));
        assertTrue(e.getMessage().startsWith("cannot connect to the TPM simulator at 127.0.0.1:" + port
                + " (Connection refused): is it running?"), e.getMessage());
    }

    private static byte[] getRandom(int n) {
        return ByteBuffer.allocate(12).putShort((short) 0x8001).putInt(12).putInt(0x17B).putShort((short) n).array();
    }
}
