package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TctiConfigTest {
    @Test
    void parsesSwtpmWithHostAndPort() {
        assertEquals(new TctiConfig.Swtpm("10.0.0.5", 2400), TctiConfig.parse("swtpm:host=10.0.0.5,port=2400"));
        assertEquals(new TctiConfig.Swtpm("localhost", 2321), TctiConfig.parse("swtpm:host=localhost"));
        assertEquals(new TctiConfig.Swtpm("127.0.0.1", 9000), TctiConfig.parse("swtpm:port=9000"));
        assertEquals(new TctiConfig.Swtpm("127.0.0.1", 2321), TctiConfig.parse("swtpm"));
        assertEquals(new TctiConfig.Swtpm("127.0.0.1", 2321), TctiConfig.parse("swtpm:"));
        assertEquals(new TctiConfig.Swtpm("h", 7), TctiConfig.parse("  SWTPM:PORT=7, HOST=h "));
    }

    @Test
    void parsesSwtpmOnAUnixSocket() {
        assertEquals(new TctiConfig.SwtpmUnix(Path.of("/run/swtpm/sock")), TctiConfig.parse("swtpm:path=/run/swtpm/sock"));
        assertEquals("swtpm:path=/run/swtpm/sock", TctiConfig.parse(" swtpm:PATH=/run/swtpm/sock ").toString());
        assertTrue(message("swtpm:path=/s,host=h").contains("needs either path=SOCKET"));
        assertTrue(message("swtpm:path=").contains("needs either path=SOCKET"));
        assertTrue(message("mssim:path=/s").startsWith("'path=/s' in 'mssim:path=/s' is not host=... or port=...;"));
    }

    @Test
    void parsesMssim() {
        assertEquals(new TctiConfig.Mssim("sim.example", 2321), TctiConfig.parse("mssim:host=sim.example,port=2321"));
        assertEquals(new TctiConfig.Mssim("127.0.0.1", 2321), TctiConfig.parse("mssim"));
    }

    @Test
    void parsesDevice() {
        assertEquals(new TctiConfig.Device(Path.of("/dev/tpm0")), TctiConfig.parse("device:/dev/tpm0"));
        assertEquals(new TctiConfig.Device(Path.of("/dev/tpmrm0")), TctiConfig.parse("device"));
        assertEquals(new TctiConfig.Device(Path.of("/dev/tpmrm0")), TctiConfig.parse("device:"));
    }

    @Test
    void parsesLibtpms() {
        assertEquals(new TctiConfig.Libtpms(Path.of("/var/lib/tpmauth/state")),
                TctiConfig.parse("libtpms:/var/lib/tpmauth/state"));
        assertEquals(new TctiConfig.Libtpms(Path.of("relative/dir")), TctiConfig.parse("libtpms:relative/dir"));
    }

    @Test
    void toStringGivesBackAParsableConfig() {
        for (String s : new String[] {"swtpm:host=127.0.0.1,port=2321", "mssim:host=h,port=5",
                "device:/dev/tpm0", "libtpms:/x/y"}) {
            assertEquals(s, TctiConfig.parse(s).toString());
            assertEquals(TctiConfig.parse(s), TctiConfig.parse(TctiConfig.parse(s).toString()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "tabrmd", "foo:bar", "libtpms", "libtpms:", "swtpm:port=abc",
            "swtpm:port=0", "swtpm:port=65535", "swtpm:port=-1", "swtpm:hots=x", "swtpm:host",
            "mssim:port=99999", "swtpm:host=a,port=1,port"})
    void rejectsBadStringsListingTheValidForms(String config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TctiConfig.parse(config));
        assertTrue(e.getMessage().contains(TctiConfig.FORMS), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> TctiConfig.parse(null));
    }

    @Test
    void errorsNameTheOffendingPart() {
        assertTrue(message("swtpm:port=abc").startsWith("port 'abc' in 'swtpm:port=abc' is not a TCP port"));
        assertTrue(message("tabrmd:bus=session").startsWith("unknown TCTI 'tabrmd'"));
        assertTrue(message("mssim:user=x").startsWith("'user=x' in 'mssim:user=x' is not host=... or port=..."));
        assertTrue(message("libtpms").startsWith("'libtpms' names no state directory"));
    }

    private static String message(String config) {
        return assertThrows(IllegalArgumentException.class, () -> TctiConfig.parse(config)).getMessage();
    }

    @Test
    void explicitConfigWinsOverTheEnvironment() {
        Map<String, String> env = Map.of("TPM2TOOLS_TCTI", "swtpm:port=1000", "TSS2_TCTI", "swtpm:port=2000");
        assertEquals(new TctiConfig.Mssim("127.0.0.1", 3000), TctiConfig.resolve("mssim:port=3000", env));
    }

    @Test
    void tpm2toolsVariableWinsOverTss2Variable() {
        Map<String, String> env = Map.of("TPM2TOOLS_TCTI", "swtpm:port=1000", "TSS2_TCTI", "swtpm:port=2000");
        assertEquals(new TctiConfig.Swtpm("127.0.0.1", 1000), TctiConfig.resolve(null, env));
        assertEquals(new TctiConfig.Swtpm("127.0.0.1", 1000), TctiConfig.resolve("  ", env));
    }

    @Test
    void tss2VariableIsUsedWhenItIsTheOnlyOne() {
        assertEquals(new TctiConfig.Libtpms(Path.of("/s")),
                TctiConfig.resolve(null, Map.of("TSS2_TCTI", "libtpms:/s", "TPM2TOOLS_TCTI", "")));
    }

    @Test
    void aBadEnvironmentValueIsReportedNotSkipped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TctiConfig.resolve(null, Map.of("TPM2TOOLS_TCTI", "nonsense", "TSS2_TCTI", "swtpm")));
        assertTrue(e.getMessage().contains("nonsense"), e.getMessage());
    }

    @Test
    void withoutConfigTheDefaultDeviceIsUsedWhenPresent() {
        if (Files.exists(Path.of(TctiConfig.DEFAULT_DEVICE))) {
            assertEquals(new TctiConfig.Device(Path.of("/dev/tpmrm0")), TctiConfig.resolve(null, Map.of()));
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TctiConfig.resolve(null, Map.of()));
            assertTrue(e.getMessage().startsWith("no TPM configured: give --tcti, or set TPM2TOOLS_TCTI or TSS2_TCTI"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(TctiConfig.FORMS));
        }
    }
}
