package org.tpmauth.vpn.openvpn;

import java.util.Base64;

/**
 * One line from OpenVPN's management interface, as the backend needs it: the requests it answers
 * (password prompt, hold, certificate, signature), the notifications it logs, and everything else.
 * {@link #parse} never throws: a line it cannot read becomes {@link Malformed}, or {@link BadSignRequest}
 * when it was a signature request (which still needs an answer, or OpenVPN waits).
 */
public sealed interface ManagementMessage {
    /** The management password prompt; OpenVPN sends it without a line end and waits. */
    String PASSWORD_PROMPT = "ENTER PASSWORD:";

    /** {@code ENTER PASSWORD:}: the management interface has a password (its option's pw-file). */
    record PasswordPrompt() implements ManagementMessage {
    }

    /** {@code >PK_SIGN:DATA,ALG} or the older {@code >RSA_SIGN:DATA}: sign DATA as ALG says. */
    record PkSign(byte[] data, SignAlgorithm algorithm) implements ManagementMessage {
        @Override
        public String toString() {
            return "PK_SIGN " + algorithm + " over " + data.length + " bytes";
        }
    }

    /** A signature request that could not be read; it is answered with a refusal. */
    record BadSignRequest(String line, String reason) implements ManagementMessage {
    }

    /** {@code >NEED-CERTIFICATE:HINT}: OpenVPN wants the certificate (--management-external-cert HINT). */
    record NeedCertificate(String hint) implements ManagementMessage {
    }

    /** {@code >HOLD:...}: OpenVPN waits for {@code hold release}. */
    record Hold(String text) implements ManagementMessage {
    }

    /**
     * A real-time notification that is only logged: INFO, STATE, LOG, FATAL, PASSWORD (credential
     * queries this backend does not answer), and any other {@code >TYPE:text}.
     */
    record Notification(String type, String text) implements ManagementMessage {
    }

    /** {@code SUCCESS: text}: a command worked. */
    record Success(String text) implements ManagementMessage {
    }

    /** {@code ERROR: text}: a command failed. */
    record Error(String text) implements ManagementMessage {
    }

    /** Any other line: command output, such as the END of a multi-line answer. */
    record Other(String line) implements ManagementMessage {
    }

    /** A line that is not a management message (no type, not text, too long). */
    record Malformed(String line, String reason) implements ManagementMessage {
    }

    /** Reads one line (without its line end). */
    static ManagementMessage parse(String line) {
        if (line.equals(PASSWORD_PROMPT)) {
            return new PasswordPrompt();
        }
        if (line.startsWith("SUCCESS:")) {
            return new Success(line.substring("SUCCESS:".length()).strip());
        }
        if (line.startsWith("ERROR:")) {
            return new Error(line.substring("ERROR:".length()).strip());
        }
        if (!line.startsWith(">")) {
            return new Other(line);
        }
        int colon = line.indexOf(':');
        if (colon < 2) {
            return new Malformed(line, "a real-time message needs '>TYPE:'");
        }
        String type = line.substring(1, colon);
        String text = line.substring(colon + 1);
        return switch (type) {
            case "PK_SIGN", "RSA_SIGN" -> signRequest(line, type, text);
            case "NEED-CERTIFICATE" -> new NeedCertificate(text);
            case "HOLD" -> new Hold(text);
            default -> type.chars().allMatch(c -> c == '-' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                    ? new Notification(type, text)
                    : new Malformed(line, "'" + type + "' is not a message type");
        };
    }

    private static ManagementMessage signRequest(String line, String type, String text) {
        int comma = text.indexOf(',');
        String data = comma < 0 ? text : text.substring(0, comma);
        if (data.isEmpty()) {
            return new BadSignRequest(line, "no data to sign");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            return new BadSignRequest(line, "the data to sign is not base64: " + e.getMessage());
        }
        if (type.equals("RSA_SIGN") || comma < 0) {
            return new PkSign(bytes, SignAlgorithm.LEGACY);
        }
        try {
            return new PkSign(bytes, SignAlgorithm.parse(text.substring(comma + 1)));
        } catch (IllegalArgumentException e) {
            return new BadSignRequest(line, e.getMessage());
        }
    }
}
