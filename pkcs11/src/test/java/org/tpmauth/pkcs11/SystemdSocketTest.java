package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which process a LISTEN_FDS socket is for (the end to end run with systemd-socket-activate is the cli's
 * Pkcs11SocketActivationCliTest).
 */
class SystemdSocketTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());

    @Test
    void onlyASocketPassedToThisProcessCounts() throws IOException {
        assertFalse(SystemdSocket.passedToThisProcess(Map.of()));
        // a parent (a shell script that did not exec) got it: not ours to take
        assertFalse(SystemdSocket.passedToThisProcess(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1")));
        assertTrue(SystemdSocket.passedToThisProcess(Map.of("LISTEN_PID", SELF, "LISTEN_FDS", "1")));
    }

    @Test
    void anythingButOneSocketIsRefusedWithTheFix() {
        for (String fds : new String[] {"2", "0", "", "x"}) {
            IOException e = assertThrows(IOException.class,
                    () -> SystemdSocket.passedToThisProcess(Map.of("LISTEN_PID", SELF, "LISTEN_FDS", fds)));
            assertTrue(e.getMessage().contains("give its socket unit a single ListenStream="), e.getMessage());
        }
    }
}
