package org.tpmauth.vpn.wireguard;

/**
 * The answer of a userspace WireGuard (wireguard-go, boringtun) to a {@code set} over its configuration socket
 * (wireguard.com/xplatform): {@code key=value} lines ending with an empty line, of which {@code errno=N} says how
 * the operation went (0: done). Outside bytes: anything else is refused with a message that quotes none of them.
 */
record UapiAnswer(int errno) {
    /** Longest answer read (a set's answer is "errno=0\n\n"; a get's holds one line per peer setting). */
    static final int MAX_SIZE = 4096;
    /** Digits of an errno at most (Linux's are below 4096; this bounds the parse, not the value's meaning). */
    private static final int MAX_DIGITS = 9;

    /** Whether {@code length} bytes of {@code bytes} hold a whole answer (its terminating empty line). */
    static boolean complete(byte[] bytes, int length) {
        return length >= 2 && bytes[length - 1] == '\n' && bytes[length - 2] == '\n';
    }

    /** Parses a whole answer; a missing, repeated or non-numeric errno, a line without '=' or a control byte is refused. */
    static UapiAnswer parse(byte[] bytes) {
        int length = bytes.length;
        if (!complete(bytes, length)) {
            throw new IllegalArgumentException("incomplete answer (no terminating empty line)");
        }
        Integer errno = null;
        int lineStart = 0;
        for (int end = lineStart; end < length - 1; end++) { // the last byte is the empty line's newline
            byte b = bytes[end];
            if (b != '\n') {
                if (b < 0x20 || b > 0x7e) {
                    throw new IllegalArgumentException("answer holds a control or non-ASCII byte");
                }
                continue;
            }
            int equals = indexOf(bytes, lineStart, end, (byte) '=');
            if (equals <= lineStart) {
                throw new IllegalArgumentException("answer line without key=value");
            }
            if (equals - lineStart == 5 && regionIs(bytes, lineStart, "errno")) {
                if (errno != null) {
                    throw new IllegalArgumentException("answer with two errno lines");
                }
                errno = digits(bytes, equals + 1, end);
            }
            lineStart = end + 1;
        }
        if (errno == null) {
            throw new IllegalArgumentException("answer without errno");
        }
        return new UapiAnswer(errno);
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionIs(byte[] bytes, int from, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int digits(byte[] bytes, int from, int to) {
        if (to == from || to - from > MAX_DIGITS) {
            throw new IllegalArgumentException("errno is not a number of 1-" + MAX_DIGITS + " digits");
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] < '0' || bytes[i] > '9') {
                throw new IllegalArgumentException("errno is not a number");
            }
            value = value * 10 + (bytes[i] - '0');
        }
        return value;
    }
}
