package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;

/**
 * tpmauth's keys as tpm2-tools 5.4 sees them on one swtpm, and the other way round: persistent
 * handles, public keys (PEM), Names, signatures and key files.
 *
 * <p>Not here yet: {@code tpm2_pcrread sha256:0,1,2} against tpmauth's PCR_Read, whose command is
 * on a branch not merged into this one.
 */
class InteropToolsTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final byte[] MESSAGE = "read by tpm2-tools".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NO_PASSWORD = new byte[0];
    private static final Pattern NAME_LINE = Pattern.compile("(?m)^name: ([0-9a-f]+)$");

    @TempDir
    Path dir;

    /**
     * Runs a tpm2-tools command, then flushes the transient objects it left loaded (a context file
     * stays usable): without a resource manager they would fill swtpm's three object slots.
     */
    private ExternalTool.Result tool(String... command) {
        SWTPM.disconnect();
        Map<String, String> env = Map.of("TPM2TOOLS_TCTI", SWTPM.tcti());
        ExternalTool.Result r = ExternalTool.run(dir, env, command);
        ExternalTool.run(dir, env, "tpm2_flushcontext", "-t");
        return r;
    }

    private static byte[] nameIn(ExternalTool.Result readpublic) {
        Matcher m = NAME_LINE.matcher(readpublic.out());
        assertTrue(m.find(), readpublic.report());
        return HexFormat.of().parseHex(m.group(1));
    }

    /** tpm2_readpublic of {@code context}: the PEM text, and the Name from the -n file and the output. */
    private record ToolsPublic(String pem, byte[] name) {
    }

    private ToolsPublic readpublic(String context) throws Exception {
        ExternalTool.Result r = tool("tpm2_readpublic", "-c", context, "-f", "pem", "-o", "pub.pem", "-n", "name.bin");
        byte[] name = Files.readAllBytes(dir.resolve("name.bin"));
        assertArrayEquals(name, nameIn(r), r.report());
        return new ToolsPublic(Files.readString(dir.resolve("pub.pem")), name);
    }

    @Test
    void keysTpmauthPersistedReadTheSameInTpm2Tools() throws Exception {
        int[] handles = {0x81000002, 0x81000004};
        KeyAlgorithm[] algorithms = {KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_3072};
        TpmKey[] persisted = new TpmKey[handles.length];
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            for (int i = 0; i < handles.length; i++) {
                TpmKey loaded = keys.load(keys.create(algorithms[i], NO_PASSWORD, TpmHandles.RH_OWNER), NO_PASSWORD);
                persisted[i] = keys.persist(loaded, handles[i]);
                keys.unload(loaded);
            }
        }
        for (int i = 0; i < handles.length; i++) {
            ToolsPublic tools = readpublic(TpmHandles.hex(handles[i]));
            assertEquals(PublicKeys.toPem(persisted[i].publicKey()), tools.pem(), algorithms[i].cliName());
            assertArrayEquals(persisted[i].name(), tools.name(), algorithms[i].cliName());

            // tpm2_sign with the handle; tpmauth's public key verifies
            Files.write(dir.resolve("msg"), MESSAGE);
            SigningScheme scheme = SigningScheme.defaultFor(persisted[i].type());
            tool("tpm2_sign", "-c", TpmHandles.hex(handles[i]), "-g", "sha256", "-s",
                    scheme == SigningScheme.ECDSA ? "ecdsa" : "rsassa", "-f", "plain", "-o", "sig", "msg");
            assertTrue(Signatures.verify(persisted[i].publicKey(), MESSAGE,
                    Files.readAllBytes(dir.resolve("sig")), TpmAlg.SHA256, scheme), algorithms[i].cliName());
        }

        // tpm2_evictcontrol removes one; tpmauth sees it gone
        tool("tpm2_evictcontrol", "-C", "o", "-c", TpmHandles.hex(handles[0]));
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            TpmException e = assertThrows(TpmException.class, () -> keys.persistent(handles[0], NO_PASSWORD));
            assertEquals("nothing is persisted at 0x81000002; `tpmauth key list` shows the persistent handles",
                    e.getMessage());
            keys.evict(handles[1]);
        }
    }

    @Test
    void keyTpm2ToolsPersistedSignsInTpmauth() throws Exception {
        tool("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-c", "primary.ctx");
        tool("tpm2_create", "-C", "primary.ctx", "-G", "ecc384", "-p", "tools secret", "-u", "k.pub", "-r", "k.priv");
        tool("tpm2_load", "-C", "primary.ctx", "-u", "k.pub", "-r", "k.priv", "-c", "k.ctx");
        tool("tpm2_evictcontrol", "-C", "o", "-c", "k.ctx", "0x81000003");
        ToolsPublic tools = readpublic("0x81000003");
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            TpmKey key = keys.persistent(0x81000003, "tools secret".getBytes(StandardCharsets.UTF_8));
            assertEquals(tools.pem(), PublicKeys.toPem(key.publicKey()));
            assertArrayEquals(tools.name(), key.name());
            for (TpmAlg hash : new TpmAlg[] {TpmAlg.SHA256, TpmAlg.SHA384}) {
                byte[] sig = keys.sign(key, Signatures.digest(hash, MESSAGE), hash, SigningScheme.ECDSA);
                assertTrue(Signatures.verify(key.publicKey(), MESSAGE, sig, hash, SigningScheme.ECDSA));
            }
            keys.evict(0x81000003);
        }
    }

    @Test
    void tpmauthKeyFileLoadsAndSignsInTpm2Tools() throws Exception {
        TpmKey key;
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            Tss2KeyFile file = keys.create(KeyAlgorithm.EC_P256, NO_PASSWORD, TpmHandles.RH_OWNER);
            Files.writeString(dir.resolve("k.pem"), file.toPem());
            key = keys.load(file, NO_PASSWORD);
        }
        // tpm2_load takes a TSS2 PRIVATE KEY file and re-creates its parent (the standard SRK)
        ExternalTool.Result load = tool("tpm2_load", "-r", "k.pem", "-c", "k.ctx");
        assertArrayEquals(key.name(), nameIn(load), load.report());
        Files.write(dir.resolve("msg"), MESSAGE);
        tool("tpm2_sign", "-c", "k.ctx", "-g", "sha384", "-s", "ecdsa", "-f", "plain", "-o", "sig", "msg");
        assertTrue(Signatures.verify(key.publicKey(), MESSAGE, Files.readAllBytes(dir.resolve("sig")), TpmAlg.SHA384,
                SigningScheme.ECDSA));
    }
}
