package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.testing.LibtpmsExtension;

/** The in-process libtpms engine, for real: each test opens its own engine in its own directory. */
class LibtpmsTctiTest {
    private static final int NV_INDEX = 0x01500001;
    private final List<LibtpmsTcti> opened = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void releaseTheSharedEngine() {
        // libtpms allows one engine per process; other test classes' shared one reopens when next used
        LibtpmsExtension.release();
    }

    @AfterEach
    void closeEngines() {
        opened.forEach(LibtpmsTcti::close);
    }

    private LibtpmsTcti open(Path dir) {
        LibtpmsTcti tcti = LibtpmsTcti.open(dir);
        opened.add(tcti);
        return tcti;
    }

    @Test
    void getRandomFromAFreshlyManufacturedTpm() {
        Path dir = tmp.resolve("new/state");
        Tpm tpm = new Tpm(open(dir));
        byte[] a = tpm.execute(new GetRandom(16)).randomBytes();
        byte[] b = tpm.execute(new GetRandom(16)).randomBytes();
        assertEquals(16, a.length);
        assertFalse(Arrays.equals(a, b));
        assertTrue(Files.isRegularFile(dir.resolve("permall.bin")), "the created directory holds the state");
        assertEquals("libtpms:" + dir.toAbsolutePath(), tpm.tcti().describe());
    }

    @Test
    void stateSurvivesCloseAndOpen() throws Exception {
        LibtpmsTcti first = open(tmp);
        Tpm tpm = new Tpm(first);
        TpmResponseException absent = assertThrows(TpmResponseException.class,
                () -> TestCommands.nvName(tpm, NV_INDEX));
        assertEquals(0x0B, absent.baseCode() & 0x3F, "TPM_RC_HANDLE for an undefined index");
        TestCommands.defineNv(tpm, NV_INDEX);
        byte[] nvName = TestCommands.nvName(tpm, NV_INDEX);
        first.close();
        assertThrows(TpmTransportException.class, () -> tpm.execute(new GetRandom(1)));

        assertEquals(List.of(".lock", "permall.bin"), names(tmp), "no temporary file is left behind");
        Tpm again = new Tpm(open(tmp));
        assertArrayEquals(nvName, TestCommands.nvName(again, NV_INDEX));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSecondEngineInTheSameProcessIsRefusedAndOpenAfterCloseWorks() {
        Path a = tmp.resolve("a");
        LibtpmsTcti first = open(a);
        TpmTransportException e = assertThrows(TpmTransportException.class, () -> open(tmp.resolve("b")));
        assertEquals("the in-process libtpms TPM is already open in this process (state dir " + a.toAbsolutePath()
                + "); close it first or use swtpm", e.getMessage());
        first.close();
        Tpm tpm = new Tpm(open(tmp.resolve("b")));
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
    }

    @Test
    void theStateDirectoryLockKeepsOutAnotherProcess() throws Exception {
        LibtpmsTcti engine = open(tmp);
        TransportProbe.Result refused = TransportProbe.run(List.of(), "libtpms", tmp);
        assertEquals(3, refused.exitCode(), refused.output());
        assertTrue(refused.output().startsWith("the libtpms state directory " + tmp.toAbsolutePath()
                + " is in use by another process"), refused.output());
        engine.close();
        TransportProbe.Result free = TransportProbe.run(List.of(), "libtpms", tmp);
        assertEquals(0, free.exitCode(), free.output());
        assertTrue(free.output().endsWith("OPENED"), free.output());
    }

    @Test
    void aMissingLibraryIsReportedWithTheInstallCommand() {
        TpmTransportException e = assertThrows(TpmTransportException.class,
                () -> LibtpmsTcti.open(tmp, "libtpms-not-here.so.0"));
        assertTrue(e.getMessage().startsWith("libtpms is not installed: apt-get install libtpms0"), e.getMessage());
        open(tmp).close(); // nothing stayed locked
    }

    @Test
    void aDamagedStateFileIsReportedAndLeavesNothingOpen() throws Exception {
        Files.write(tmp.resolve("permall.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        TpmTransportException e = assertThrows(TpmTransportException.class, () -> open(tmp));
        assertTrue(e.getMessage().contains("permall.bin is damaged"), e.getMessage());
        Files.delete(tmp.resolve("permall.bin"));
        Tpm tpm = new Tpm(open(tmp));
        assertEquals(4, tpm.execute(new GetRandom(4)).randomBytes().length);
    }

    @Test
    void aFailedSaveIsReportedAsSuchAndTheLastGoodStateComesBack() throws Exception {
        Tpm tpm = new Tpm(open(tmp));
        // a non-empty directory where the state file goes makes the atomic rename fail
        Files.delete(tmp.resolve("permall.bin"));
        Files.createDirectories(tmp.resolve("permall.bin/blocker"));
        TpmTransportException e = assertThrows(TpmTransportException.class,
                () -> TestCommands.defineNv(tpm, NV_INDEX));
        assertTrue(e.getMessage().startsWith("libtpms could not save its state in " + tmp.toAbsolutePath()
                + " during TPM2_NV_DefineSpace"), e.getMessage());
        TpmResponseException failureMode = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new GetRandom(4)));
        assertEquals(0x101, failureMode.responseCode(), "TPM_RC_FAILURE until reopened");
        tpm.close();
        Files.delete(tmp.resolve("permall.bin/blocker"));
        Files.delete(tmp.resolve("permall.bin"));
        Tpm again = new Tpm(open(tmp));
        assertThrows(TpmResponseException.class, () -> TestCommands.nvName(again, NV_INDEX));
    }

    @Test
    void cancelEndsAKeyGenerationEarly() throws Exception {
        LibtpmsTcti engine = open(tmp);
        Tpm tpm = new Tpm(engine);
        CompletableFuture<Integer> create = CompletableFuture.supplyAsync(
                () -> TestCommands.createRsaPrimary(tpm));
        // cancel until the command ends: each Process clears an earlier cancel request when it starts
        while (!create.isDone()) {
            engine.cancel();
            Thread.sleep(1);
        }
        Exception e = assertThrows(Exception.class, () -> create.get(10, TimeUnit.SECONDS));
        TpmResponseException cancelled = (TpmResponseException) e.getCause();
        assertEquals(0x909, cancelled.responseCode(), "TPM_RC_CANCELED");
        assertEquals(4, tpm.execute(new GetRandom(4)).randomBytes().length, "the next command runs normally");
    }

    @Test
    void closeIsIdempotentAndTransmitAfterCloseSaysSo() {
        LibtpmsTcti engine = open(tmp);
        engine.close();
        engine.close();
        TpmTransportException e = assertThrows(TpmTransportException.class,
                () -> engine.transmit(TpmFrames.startupClear()));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
    }
}
