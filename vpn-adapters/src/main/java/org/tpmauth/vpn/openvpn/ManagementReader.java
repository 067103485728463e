package org.tpmauth.vpn.openvpn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits OpenVPN's management output into messages: lines end in LF (CR before it is dropped), a line
 * longer than {@link #MAX_LINE} bytes is skipped to its end and reported as {@link ManagementMessage.Malformed},
 * and the password prompt, which has no line end, is recognised once OpenVPN stops sending after it.
 */
public final class ManagementReader {
    /** Longer than any PK_SIGN request (a TLS 1.3 message of ~130 bytes, base64) or notification. */
    public static final int MAX_LINE = 16 * 1024;
    private static final byte[] PROMPT = ManagementMessage.PASSWORD_PROMPT.getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public ManagementReader(InputStream in) {
        this.in = in;
    }

    /** The next message, or null at the end of the stream (a partial last line is dropped). */
    public ManagementMessage next() throws IOException {
        line.reset();
        long length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                break;
            }
            length++;
            if (length <= MAX_LINE) {
                line.write(b);
                if (length == PROMPT.length && in.available() == 0 && isPrompt()) {
                    return new ManagementMessage.PasswordPrompt();
                }
            }
        }
        String text = line.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (length > MAX_LINE) {
            return new ManagementMessage.Malformed(text.substring(0, Math.min(60, text.length())), "line of " + length + " bytes is longer than "
                    + MAX_LINE);
        }
        return ManagementMessage.parse(text);
    }

    private boolean isPrompt() {
        return Arrays.equals(line.toByteArray(), PROMPT);
    }
}
