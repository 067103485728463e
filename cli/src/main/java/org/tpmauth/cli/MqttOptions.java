package org.tpmauth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.tpmauth.tls.TpmKeyManager;
import org.tpmauth.tls.TpmMqtt;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options mqtt publish and subscribe share: broker, topic, TPM key, certificates, protocol version. */
final class MqttOptions {
    @Option(names = "--broker", required = true, paramLabel = "ssl://HOST:PORT", description = "The MQTT broker.")
    String broker;

    @Option(names = {"--topic", "-t"}, required = true, paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Mixin
    TlsIdentityOptions identity;

    @Option(names = "--v5", description = "Use MQTT v5 (default: v3.1.1).")
    boolean v5;

    @Option(names = "--qos", defaultValue = "1", paramLabel = "0|1|2", description = "Quality of service (default: ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--client-id", paramLabel = "ID", description = "MQTT client id (default: tpmauth-<random>).")
    String clientId;

    /** Loads the key, checks it against the certificate, and connects. */
    TpmMqttClient connect(TpmKeys keys) throws Exception {
        if (!broker.startsWith("ssl://")) {
            throw new IllegalArgumentException("--broker must be ssl://HOST:PORT (TLS carries the TPM key), not " + broker);
        }
        TpmKeyManager km = identity.keyManager(keys);
        String id = clientId != null ? clientId : "tpmauth-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            return TpmMqttClient.connect(broker, id, TpmMqtt.socketFactory(km, identity.ca), v5);
        } catch (Exception e) {
            Exception explained = identity.explainMissingPassword(e);
            throw explained != e ? explained : new IOException("MQTT connection to " + broker + " failed: " + reasons(e), e);
        }
    }

    /**
     * "javax.net.ssl.SSLHandshakeException: " or "MqttException: " as wrapping exceptions repeat their
     * cause's toString().
     */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:(?:[\\w$]+\\.)+[\\w$]+: |[\\w$]*(?:Exception|Error): )+");
    /** What the socket says when the broker hung up, e.g. after refusing our certificate. */
    private static final Pattern HUNG_UP = Pattern.compile("(?i)broken pipe|connection reset|connection lost");

    /**
     * The messages along the cause chain: Paho's own exception often says little ("Connection lost", or
     * nothing) while its cause names the TLS failure.
     */
    static String reasons(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable c = e; c != null && messages.size() < 4; c = c.getCause()) {
            String m = c.getMessage() == null ? null : CLASS_PREFIX.matcher(c.getMessage()).replaceAll("").strip();
            if (m != null && !m.isBlank() && messages.stream().noneMatch(m::contains)) {
                messages.add(m);
            }
        }
        String hint = "the broker closed the connection (did it refuse the certificate?)";
        if (messages.isEmpty()) {
            return hint;
        }
        String joined = String.join(": ", messages);
        return HUNG_UP.matcher(joined).find() ? joined + "; " + hint : joined;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
