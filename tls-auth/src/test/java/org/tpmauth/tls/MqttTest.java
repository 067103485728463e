package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * Paho MQTT v3 and v5 with the TPM key against mosquitto (require_certificate, use_identity_as_username):
 * the message reaches mosquitto_sub, the broker names the certificate's CN as user, a foreign
 * certificate is refused.
 */
class MqttTest {
    private static TestKeys t;
    private static Mosquitto broker;
    private static Path subCert;
    private static Path subKey;
    private static TpmKeys keys;
    private static SSLSocketFactory factory;

    @BeforeAll
    static void start() throws Exception {
        t = TestKeys.get();
        t.keyFile(KeyAlgorithm.EC_P256);
        broker = new Mosquitto(t.dir, t.caPem, t.serverCert, t.serverKey);
        KeyPair sub = TestPki.ecKey();
        subCert = TestPki.writePem(t.dir.resolve("sub.crt.pem"), t.pki.issue(sub.getPublic(), "subscriber"));
        subKey = TestPki.writePem(t.dir.resolve("sub.key.pem"), sub.getPrivate());
        keys = new TpmKeys(TestKeys.tpm());
        factory = TpmMqtt.socketFactory(keys, t.keyFile(KeyAlgorithm.EC_P256), t.certFile(KeyAlgorithm.EC_P256),
                t.caPem, null);
    }

    @AfterAll
    static void stop() throws Exception {
        keys.close();
        broker.close();
    }

    @ParameterizedTest(name = "MQTT v5: {0}")
    @ValueSource(booleans = {false, true})
    void messageReachesMosquittoSub(boolean v5) throws Exception {
        String topic = "tpmauth/test/" + (v5 ? "v5" : "v3");
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port),
                "--cafile", t.caPem.toString(), "--cert", subCert.toString(), "--key", subKey.toString(),
                "-t", topic, "-C", "1", "-W", "30", "-i", "sub-" + topic.replace('/', '-'))
                .redirectErrorStream(true).start();
        try {
            broker.awaitLog("Received SUBSCRIBE from sub-" + topic.replace('/', '-'));
            String clientId = "tpm-" + (v5 ? "v5" : "v3");
            try (TpmMqttClient client = TpmMqttClient.connect("ssl://127.0.0.1:" + broker.port, clientId, factory, v5)) {
                client.publish(topic, "signed in the TPM".getBytes(StandardCharsets.UTF_8), 1);
            }
            assertTrue(sub.waitFor(30, TimeUnit.SECONDS));
            assertEquals("signed in the TPM\n", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(broker.log().contains("as " + clientId + " (p" + (v5 ? "5" : "2")), broker.log());
            assertTrue(broker.log().contains("u'device-ec-p256'"), broker.log());
        } finally {
            sub.destroy();
        }
    }

    @Test
    void foreignCertificateIsRefused() throws Exception {
        TestPki foreign = new TestPki("foreign CA");
        var tpmKey = TpmPrivateKey.of(keys, keys.load(org.tpmauth.tss.keys.Tss2KeyFile.read(
                t.keyFile(KeyAlgorithm.EC_P256)), new byte[0]));
        TpmKeyManager km = TpmKeyManager.of("foreign", tpmKey, List.of(foreign.issue(tpmKey.publicKey(), "intruder")));
        SSLSocketFactory foreignFactory = TpmSslContexts.create(TpmSslContexts.Engine.BC_JSSE,
                new IgnoringIssuers(km), List.of(t.pki.ca)).getSocketFactory();
        for (boolean v5 : new boolean[] {false, true}) {
            assertThrows(Exception.class, () -> TpmMqttClient.connect("ssl://127.0.0.1:" + broker.port,
                    "intruder-" + v5, foreignFactory, v5).close());
        }
        assertFalse(broker.log().contains("u'intruder'"), broker.log());
        assertTrue(broker.log().contains("certificate verify failed"), broker.log());
        keys.unload(tpmKey.key());
    }
}
