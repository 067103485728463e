package org.tpmauth.attest.client;

import java.io.IOException;
import java.util.Map;

/**
 * The MQTT broker refused the connection: the CONNACK's reason code and its reason string (for an
 * attested broker, a "FAIL rule: message" per broken rule, separated by "; "; the message puts each
 * on a line of its own).
 */
public final class MqttRefusal extends IOException {
    private static final long serialVersionUID = 1L;
    private static final Map<Integer, String> NAMES = Map.of(0x80, "Unspecified error", 0x82, "Protocol error",
            0x86, "Bad user name or password", 0x87, "Not authorized", 0x8C, "Bad authentication method");

    private final int reasonCode;
    private final String reasonString;

    public MqttRefusal(int reasonCode, String reasonString) {
        super("the MQTT broker refused the connection: " + name(reasonCode) + (reasonString == null ? ""
                : ":\n" + reasonString.strip().replace("; FAIL ", "\nFAIL ")));
        this.reasonCode = reasonCode;
        this.reasonString = reasonString;
    }

    /** The CONNACK reason code (MQTT 5, e.g. 0x87 Not authorized). */
    public int reasonCode() {
        return reasonCode;
    }

    /** The broker's reason string, or null when it sent none. */
    public String reasonString() {
        return reasonString;
    }

    /** "Not authorized (0x87)". */
    public static String name(int reasonCode) {
        return NAMES.getOrDefault(reasonCode, "reason code") + " (0x" + Integer.toHexString(reasonCode) + ")";
    }
}
