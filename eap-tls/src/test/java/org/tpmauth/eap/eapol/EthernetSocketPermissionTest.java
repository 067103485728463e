package org.tpmauth.eap.eapol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without CAP_NET_RAW the raw socket is refused, and the message says what is missing and how to grant
 * it. The probe runs as a child JVM whose capability bounding set lacks CAP_NET_RAW (setpriv), so even
 * as root it has no such capability; with it, the same probe opens the socket.
 */
class EthernetSocketPermissionTest {
    /** The child: opens a socket on the loopback interface and prints the outcome. */
    public static void main(String[] args) {
        try (EthernetSocket socket = EthernetSocket.open("lo", null)) {
            System.out.println("opened");
        } catch (IOException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }

    @Test
    void withoutCapNetRawTheMessageSaysWhatIsMissing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "dropping a capability needs one to drop");
        String refused = probe("setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw");
        assertTrue(refused.startsWith("refused: ") && refused.contains("CAP_NET_RAW") && refused.contains("setcap"),
                refused);
        assertEquals("opened", probe());
    }

    private static String probe(String... wrapper) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[wrapper.length + 4];
        System.arraycopy(wrapper, 0, command, 0, wrapper.length);
        command[wrapper.length] = java;
        command[wrapper.length + 1] = "-cp";
        command[wrapper.length + 2] = System.getProperty("java.class.path");
        command[wrapper.length + 3] = EthernetSocketPermissionTest.class.getName();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        return out;
    }
}
