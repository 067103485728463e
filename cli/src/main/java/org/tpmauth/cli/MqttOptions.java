package org.tpmauth.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmKeyManager;
import org.tpmauth.tls.TpmMqtt;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Option;

/** The options mqtt publish and subscribe share: broker, topic, TPM key, certificates, protocol version. */
final class MqttOptions {
    @Option(names = "--broker", required = true, paramLabel = "ssl://HOST:PORT", description = "The MQTT broker.")
    String broker;

    @Option(names = {"--topic", "-t"}, required = true, paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Key file (TSS2 PRIVATE KEY) or persistent handle 0x81xxxxxx.")
    String key;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's password (if it has one).")
    Path passwordFile;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "The key's certificate (chain).")
    Path cert;

    @Option(names = "--ca", required = true, paramLabel = "ca.pem", description = "CA certificates to trust for the broker.")
    Path ca;

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
        TpmKeyManager km = TpmKeyManager.of("tpm", TpmPrivateKey.of(keys, KeyRef.load(keys, key, passwordFile)),
                Certificates.read(cert));
        String id = clientId != null ? clientId : "tpmauth-" + UUID.randomUUID().toString().substring(0, 8);
        return TpmMqttClient.connect(broker, id, TpmMqtt.socketFactory(km, ca), v5);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
