package org.tpmauth.vpn.openvpn;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzzes the management reader and line parser with any bytes OpenVPN (or something pretending to be it)
 * could send: every input must come out as messages, never as an exception, each line at most
 * {@link ManagementReader#MAX_LINE} bytes long. Seeds live in
 * resources/org/tpmauth/vpn/openvpn/ManagementReaderFuzzTestInputs/read/.
 */
class ManagementReaderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) throws IOException {
        ManagementReader reader = new ManagementReader(new ByteArrayInputStream(data));
        int messages = 0;
        for (ManagementMessage m; (m = reader.next()) != null; ) {
            assertNotNull(m.toString());
            if (m instanceof ManagementMessage.PkSign sign) {
                assertNotNull(sign.algorithm().toString());
            }
            messages++;
        }
        assertTrue(messages <= data.length);
    }
}
