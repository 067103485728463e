package org.tpmauth.tss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** Response codes from a real TPM (swtpm), sent raw bytes over its TCP data channel, decoded by TpmRc. */
class TpmRcSwtpmTest {
    /** The ports this test may use (data port, control port = data + 1). */
    private static final int PORT_FIRST = 26000;
    private static final int PORT_LAST = 26998;
    private static final int HEADER = 10;

    private static Path dir;
    private static Process swtpm;
    private static int port;

    @BeforeAll
    static void startSwtpm() throws Exception {
        assumeTrue(Programs.onPath("swtpm"), "swtpm is not installed");
        dir = Files.createTempDirectory("tpmrc-swtpm");
        port = freePortPair();
        swtpm = new ProcessBuilder("swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + dir,
                "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                "--flags", "not-need-init,startup-clear")
                .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return;
            } catch (IOException notYet) {
                if (!swtpm.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("swtpm did not start: " + Files.readString(dir.resolve("swtpm.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stopSwtpm() throws Exception {
        if (swtpm != null) {
            swtpm.destroy();
            swtpm.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0x81000099 | 0x18B | TPM2_Sign failed: TPM_RC_HANDLE (handle 1): the handle does not exist: the key or persistent handle is not loaded/persisted
            0x80000000 | 0x910 | TPM2_Sign failed: TPM_RC_REFERENCE_H0 (handle 1): the handle refers to a transient object or session that is not loaded; load it again
            0x80FFFFFF | 0x184 | TPM2_Sign failed: TPM_RC_VALUE (handle 1): a value is out of range or not correct in this context
            """)
    void signWithAKeyThatIsNotThere(String keyHandle, String rc, String sentence) throws IOException {
        TpmWriter parameters = new TpmWriter()
                .sized(new byte[32]) // digest
                .u16(TpmAlg.NULL.id()) // inScheme: the key's own
                .u16(TpmSt.HASHCHECK).u32(TpmHandles.RH_NULL).sized(new byte[0]); // validation: NULL ticket
        TpmWriter auth = new TpmWriter().u32(TpmHandles.RS_PW).sized(new byte[0]).u8(0).sized(new byte[0]);
        TpmWriter body = new TpmWriter().u32(Integer.parseUnsignedInt(keyHandle.substring(2), 16))
                .u32(auth.size()).bytes(auth.toByteArray()).bytes(parameters.toByteArray());
        assertResponse(command(TpmSt.SESSIONS, TpmCc.Sign, body.toByteArray()), TpmCc.Sign, rc, sentence);
    }

    @Test
    void startupTwice() throws IOException {
        byte[] clear = new TpmWriter().u16(0x0000).toByteArray(); // TPM_SU_CLEAR
        assertResponse(command(TpmSt.NO_SESSIONS, TpmCc.Startup, clear), TpmCc.Startup, "0x100",
                "TPM2_Startup failed: TPM_RC_INITIALIZE: the TPM has not been started (TPM2_Startup), or"
                        + " TPM2_Startup was sent to a TPM already started");
    }

    @Test
    void commandTheTpmDoesNotHave() throws IOException {
        assertResponse(command(TpmSt.NO_SESSIONS, 0x20000000, new byte[0]), 0x20000000, "0x143",
                "command 0x20000000 failed: TPM_RC_COMMAND_CODE: this TPM does not implement command 0x20000000");
    }

    private static byte[] command(int tag, int commandCode, byte[] body) {
        return new TpmWriter().u16(tag).u32(HEADER + body.length).u32(commandCode).bytes(body).toByteArray();
    }

    private static void assertResponse(byte[] command, int commandCode, String rc, String sentence)
            throws IOException {
        int responseCode = transmit(command);
        assertEquals(Integer.decode(rc).intValue(), responseCode, () -> TpmRc.describe(commandCode, responseCode));
        assertEquals(sentence, TpmRc.describe(commandCode, responseCode));
    }

    /** Sends one command on a fresh connection and returns the response code of the error response. */
    private static int transmit(byte[] command) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(command);
            out.flush();
            InputStream in = s.getInputStream();
            TpmReader header = new TpmReader(in.readNBytes(HEADER)).enter("response header");
            header.u16();
            int size = header.u32();
            int rc = header.u32();
            assertEquals(HEADER, size, "an error response is a bare header");
            return rc;
        }
    }

    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(PORT_FIRST, PORT_LAST + 1);
            try {
                new ServerSocket(p, 1, InetAddress.getLoopbackAddress()).close();
                new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress()).close();
                return p;
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IllegalStateException("no free port pair in " + PORT_FIRST + "-" + (PORT_LAST + 1));
    }
}
