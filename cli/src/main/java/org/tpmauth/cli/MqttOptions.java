package org.tpmauth.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.tpmauth.attest.client.AttestedMqttClient;
import org.tpmauth.attest.client.MqttRefusal;
import org.tpmauth.attest.mqtt.MqttAuthData;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmKeyManager;
import org.tpmauth.tls.TpmMqtt;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options mqtt publish and subscribe share: broker, topic, TPM key, certificates, protocol version,
 * and evidence bound to the connection.
 */
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

    @Option(names = "--attest", description = {"MQTT 5 with evidence bound to this connection: the CONNECT carries, as "
        + "authentication method " + MqttAuthData.METHOD + ", a quote whose nonce comes from the connection's TLS "
        + "exporter, as tpmauth mqtt broker --require-attestation expects. TLS 1.3 on Bouncy Castle's own protocol "
        + "classes; needs --ak; implies --v5."})
    boolean attest;

    @Mixin
    AttestEvidenceOptions evidence;

    /** Loads the key, checks it against the certificate, and connects (with evidence from {@code tpm} with --attest). */
    TpmMqttClient connect(Tpm tpm, TpmKeys keys) throws Exception {
        if (!broker.startsWith("ssl://")) {
            throw new IllegalArgumentException("--broker must be ssl://HOST:PORT (TLS carries the TPM key), not " + broker);
        }
        String id = clientId != null ? clientId : "tpmauth-" + UUID.randomUUID().toString().substring(0, 8);
        if (attest) {
            return attested(tpm, keys, id);
        }
        TpmKeyManager km = identity.keyManager(keys);
        try {
            return TpmMqttClient.connect(broker, id, TpmMqtt.socketFactory(km, identity.ca), v5);
        } catch (Exception e) {
            Exception explained = identity.explainMissingPassword(e);
            throw explained != e ? explained : new IOException("MQTT connection to " + broker + " failed: " + reasons(e), e);
        }
    }

    private TpmMqttClient attested(Tpm tpm, TpmKeys keys, String id) throws Exception {
        URI uri = URI.create(broker);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("--broker must be ssl://HOST:PORT, not " + broker);
        }
        var attester = evidence.attester(tpm, keys, identity.cert);
        try {
            return AttestedMqttClient.connect(uri.getHost(), uri.getPort(), id, identity.tlsIdentity(keys),
                    new CertificateCheck(Certificates.read(identity.ca)), attester);
        } catch (MqttRefusal refusal) {
            throw refusal; // its message is the broker's verdict
        } catch (Exception e) {
            Exception explained = identity.explainMissingPassword(e);
            throw explained != e ? explained : new IOException("MQTT 5 connection with evidence to " + broker
                    + " failed: " + reasons(e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /**
     * "javax.net.ssl.SSLHandshakeException: " or "MqttException: " as wrapping exceptions repeat their
     * cause's toString().
     */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:(?:[\\w$]+\\.)+[\\w$]+: |[\\w$]*(?:Exception|Error): )+");
    /**
     * A message that is only a class name: Paho's MqttException around a cause says "MqttException" (v3) or
     * "Untranslated MqttException - RC: 0" (v5).
     */
    private static final Pattern CLASS_NAME_ONLY =
            Pattern.compile("(?:Untranslated )?(?:[\\w$]+\\.)*[\\w$]*(?:Exception|Error)(?: - RC: \\d+)?");
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
            if (m != null && !m.isBlank() && !CLASS_NAME_ONLY.matcher(m).matches()
                    && messages.stream().noneMatch(m::contains)) {
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
