package org.tpmauth.tss.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.commands.GetRandom;

/** tpm2-tools against the class's swtpm, taking turns with the Java stack. */
class ToolsTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void aToolAndTheSharedTpmTakeTurns() throws Exception {
        assertEquals(4, SWTPM.tpm().execute(new GetRandom(4)).randomBytes().length);
        // the shared Tpm holds swtpm's one data connection: run must release it or the tool waits
        String hex = Tools.run(SWTPM, "tpm2_getrandom", "--hex", "8").strip();
        assertEquals(16, hex.length(), hex);
        assertEquals(4, SWTPM.tpm().execute(new GetRandom(4)).randomBytes().length);

        Tools.run(SWTPM, "tpm2_getrandom", "-o", "random.bin", "5");
        assertEquals(5, Files.size(SWTPM.workDir().resolve("random.bin")), "relative paths are in workDir");
    }

    @Test
    void aFailingToolShowsItsErrors() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Tools.run(SWTPM, "tpm2_nvreadpublic", "0x01ffffff"));
        assertTrue(e.getMessage().startsWith("tpm2_nvreadpublic 0x01ffffff failed with exit code "), e.getMessage());
        assertTrue(e.getMessage().contains("ERROR"), "tpm2-tools' standard error: " + e.getMessage());
    }

    @Test
    void hexFieldFindsTheKeyAtAnyIndentation() {
        String readpublic = "name-alg:\n  value: sha256\nname: 000b0a0b\nqualified name: 000bffff\n";
        assertArrayEquals(HexFormat.of().parseHex("000b0a0b"), Tools.hexField(readpublic, "name"));
        assertArrayEquals(HexFormat.of().parseHex("000bffff"), Tools.hexField(readpublic, "qualified name"));
        assertArrayEquals(new byte[] {1, 2}, Tools.hexField("0x1500010:\n  name: 0102\n", "name"));
        AssertionError e = assertThrows(AssertionError.class, () -> Tools.hexField("size: 8\n", "name"));
        assertEquals("no 'name: <hex>' line in:\nsize: 8\n", e.getMessage());
    }
}
