package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * Fuzzes the server's reading of a connection: frames one after another, each body parsed as an RPC
 * message. Each input either fails with {@link RpcFormatException} / {@link EOFException} or every
 * message writes back to exactly the bytes it was read from. Seeds (resources/org/tpmauth/pkcs11/
 * RpcFuzzTestInputs/frames/) are the request and response streams of the real p11-kit captures.
 */
class RpcFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void frames(byte[] data) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        try {
            for (RpcFrame frame; (frame = RpcFrame.read(in)) != null; ) {
                RpcMessage message = RpcMessage.parse(frame.body());
                assertArrayEquals(frame.body(), message.encode());
                RpcCall.byId(message.callId());
            }
        } catch (RpcFormatException | EOFException expected) {
            // refused with a reason
        }
    }
}
