package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * key persist / list / evict against a real swtpm, checked with tpm2-tools. Each test evicts what
 * it persisted, so that the TPM has no persistent keys between tests.
 */
class PersistCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static Path message;

    @BeforeAll
    static void writeMessage() throws IOException {
        message = dir.resolve("message.txt");
        Files.writeString(message, "signed by a persistent key\n");
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static Path createKey(String type, String name, String... extra) {
        Path key = dir.resolve(name + ".pem");
        List<String> args = new ArrayList<>(List.of("key", "create", "--type", type, "--out", key.toString()));
        args.addAll(List.of(extra));
        tpmauth(args.toArray(String[]::new)).ok();
        return key;
    }

    /** The `key list` line for a handle, if listed. */
    private static Optional<String> listed(String handle) {
        return tpmauth("key", "list").ok().outLines().stream().filter(l -> l.startsWith(handle + " ")).findFirst();
    }

    @Test
    void persistListReadPublicSignEvict() throws Exception {
        Path ec = createKey("ec-p256", "ec");
        Path rsa = createKey("rsa-2048", "rsa");
        assertEquals("persisted " + ec + " at 0x81000100",
                tpmauth("key", "persist", "--key", ec.toString(), "--handle", "0x81000100").ok().out().strip());
        assertEquals("persisted " + rsa + " at 0x81000101",
                tpmauth("key", "persist", "--key", rsa.toString(), "--handle", "0x81000101").ok().out().strip());

        // key list: handle, algorithm, use, and the name tpm2_readpublic reports
        String ecLine = listed("0x81000100").orElseThrow(() -> new AssertionError("0x81000100 listed"));
        String rsaLine = listed("0x81000101").orElseThrow(() -> new AssertionError("0x81000101 listed"));
        assertTrue(ecLine.matches("0x81000100 +ecc-p256 +sign\\S* +name [0-9a-f]{68}"), ecLine);
        assertTrue(rsaLine.matches("0x81000101 +rsa-2048 +sign\\S* +name [0-9a-f]{68}"), rsaLine);
        for (String[] k : new String[][] {{"0x81000100", ecLine, ec.toString()}, {"0x81000101", rsaLine, rsa.toString()}}) {
            String handle = k[0];
            Path toolsPem = dir.resolve(handle + "-tools.pem");
            Cli.Result readPublic = Cli.tpm2(SWTPM, dir, "tpm2_readpublic", "-c", handle, "-f", "pem", "-o",
                    toolsPem.toString());
            String name = readPublic.outLines().stream().filter(l -> l.startsWith("name: ")).findFirst()
                    .orElseThrow().substring("name: ".length()).strip();
            assertTrue(k[1].endsWith("name " + name), () -> "same name as tpm2_readpublic: " + k[1] + " / " + name);

            // the public key by handle is what tpm2-tools writes, and the key file's
            String byHandle = tpmauth("key", "public", "--key", handle).ok().out();
            assertEquals(Files.readString(toolsPem), byHandle);
            assertEquals(byHandle, tpmauth("key", "public", "--key", k[2]).ok().out());

            // signing by handle, checked by openssl
            Path pub = dir.resolve(handle + ".pub");
            Files.writeString(pub, byHandle);
            Path sig = dir.resolve(handle + ".sig");
            tpmauth("key", "sign", "--key", handle, "--in", message.toString(), "--out", sig.toString()).ok();
            Cli.tool(dir, "openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", sig.toString(),
                    message.toString()).ok();
        }

        assertEquals("evicted 0x81000100", tpmauth("key", "evict", "--handle", "0x81000100").ok().out().strip());
        assertTrue(listed("0x81000100").isEmpty(), "evicted key is not listed");
        assertTrue(listed("0x81000101").isPresent(), "the other key stays");
        String error = tpmauth("key", "sign", "--key", "0x81000100", "--in", message.toString(),
                "--out", dir.resolve("gone.sig").toString()).fails();
        assertTrue(error.contains("nothing is persisted at 0x81000100"), error);
        // the key file still works after its persistent copy is gone
        tpmauth("key", "sign", "--key", ec.toString(), "--in", message.toString(),
                "--out", dir.resolve("file.sig").toString()).ok();

        tpmauth("key", "evict", "--handle", "0x81000101").ok();
        Cli.Result none = tpmauth("key", "list").ok();
        assertEquals("no persistent keys", none.out().strip(), "nothing else was left behind by the tests");
        assertTrue(Cli.tpm2(SWTPM, dir, "tpm2_getcap", "handles-persistent").out().isBlank(), "tpm2-tools agrees");
    }

    @Test
    void persistToAnOccupiedHandleIsAClearError() {
        Path first = createKey("ec-p256", "first");
        Path second = createKey("ec-p256", "second");
        tpmauth("key", "persist", "--key", first.toString(), "--handle", "0x81000200").ok();
        try {
            String before = tpmauth("key", "public", "--key", "0x81000200").ok().out();
            String error = tpmauth("key", "persist", "--key", second.toString(), "--handle", "0x81000200").fails();
            assertTrue(error.contains("0x81000200") && error.contains("already in use")
                    && error.contains("tpmauth key evict --handle 0x81000200"), error);
            assertEquals(before, tpmauth("key", "public", "--key", "0x81000200").ok().out(), "the first key stays");
        } finally {
            tpmauth("key", "evict", "--handle", "0x81000200").ok();
        }
    }

    @Test
    void evictOfAnEmptyHandleIsAClearError() {
        String error = tpmauth("key", "evict", "--handle", "0x81000300").fails();
        assertTrue(error.contains("nothing is persisted at 0x81000300") && error.contains("key list"), error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x80000001", "0x01000000", "0x81800000"})
    void persistOutsideTheOwnerRangeIsRefused(String handle) {
        Path key = createKey("ec-p256", "range-" + handle);
        String error = tpmauth("key", "persist", "--key", key.toString(), "--handle", handle).fails();
        assertTrue(error.contains(handle), error);
        assertTrue(listed(handle).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zzz", "81000001x", ""})
    void handleThatIsNotHexIsRefused(String handle) {
        String error = tpmauth("key", "evict", "--handle", handle).fails();
        assertTrue(error.contains("'" + handle + "'") && error.contains("0x81000001"), error);
    }

    @Test
    void persistentPasswordKeyNeedsItsPassword() throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "persistent secret");
        Path key = createKey("ec-p256", "password-key", "--password-file", password.toString());
        tpmauth("key", "persist", "--key", key.toString(), "--handle", "0x81000400").ok();
        try {
            Path sig = dir.resolve("password-key.sig");
            tpmauth("key", "sign", "--key", "0x81000400", "--password-file", password.toString(),
                    "--in", message.toString(), "--out", sig.toString()).ok();
            Path pub = dir.resolve("password-key.pub");
            tpmauth("key", "public", "--key", "0x81000400", "--out", pub.toString()).ok();
            Cli.tool(dir, "openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", sig.toString(),
                    message.toString()).ok();
            String error = tpmauth("key", "sign", "--key", "0x81000400", "--in", message.toString(),
                    "--out", dir.resolve("no-password.sig").toString()).fails();
            assertTrue(error.contains("0x81000400 is password protected") && error.contains("--password-file"), error);
        } finally {
            tpmauth("key", "evict", "--handle", "0x81000400").ok();
            SWTPM.disconnect();
            Cli.tpm2(SWTPM, dir, "tpm2_dictionarylockout", "-c");
        }
        assertFalse(listed("0x81000400").isPresent());
    }
}
