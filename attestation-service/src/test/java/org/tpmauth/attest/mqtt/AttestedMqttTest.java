package org.tpmauth.attest.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.client.AttestedMqttClient;
import org.tpmauth.attest.client.AttestedTlsClient;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.client.MqttRefusal;
import org.tpmauth.attest.service.CertificateAuthority;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtHa;

/**
 * MQTT 5 connect with evidence bound to the TLS connection, end to end: swtpm with a real boot log
 * replayed into it, the embedded HiveMQ CE broker with our extension behind the TLS front, and the
 * Paho v5 client; accepted with good evidence, refused (reason code and the broken rule) otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(90)
class AttestedMqttTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;
    private static final LinkedBlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();
    private static ServiceFixture fixture;
    private static Tpm tpm;
    private static TpmKeys keys;
    private static TlsIdentity machine;
    private static AttestedTlsClient.Attester attester;
    private static CertificateCheck trust;
    private static AttestedMqttBroker broker;

    @BeforeAll
    static void start() throws Exception {
        tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
        fixture = new ServiceFixture(dir);
        fixture.boot(tpm);
        TpmKey ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
        TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, TpmHandles.RH_OWNER), null);
        CertificateAuthority ca = new CertificateAuthority(fixture.ca.key(), fixture.ca.certificate(),
                Duration.ofHours(1), null);
        machine = new TlsIdentity(TpmPrivateKey.of(keys, key), List.of(ca.issueMachine(key.publicKey(), "sensor-1",
                "default")));
        attester = new AttestedTlsClient.Attester(tpm, ak, ca.issueAk(ak.publicKey(), "sensor-1", "default"),
                MachineEvidence.DEFAULT_PCRS, fixture.log);
        trust = new CertificateCheck(List.of(fixture.ca.certificate()));
        broker = AttestedMqttBroker.start(new AttestedMqttBroker.Settings(InetAddress.getLoopbackAddress(), 0,
                fixture.serverTls, trust, fixture.refState, dir.resolve("hivemq"), EVENTS::add));
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        keys.close();
    }

    private static TpmMqttClient connect(String clientId, String method, java.util.function.UnaryOperator<byte[]> data)
            throws IOException {
        return AttestedMqttClient.connect("127.0.0.1", broker.port(), clientId, machine, trust, method, data);
    }

    private static MqttRefusal refused(String clientId, String method, java.util.function.UnaryOperator<byte[]> data) {
        return assertThrows(MqttRefusal.class, () -> connect(clientId, method, data).close());
    }

    @Test
    @Order(1)
    void goodEvidenceIsAcceptedAndMessagesFlow() throws Exception {
        EVENTS.clear();
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (TpmMqttClient subscriber = AttestedMqttClient.connect("127.0.0.1", broker.port(), "subscriber", machine,
                trust, attester);
                TpmMqttClient publisher = AttestedMqttClient.connect("127.0.0.1", broker.port(), "publisher", machine,
                        trust, attester)) {
            subscriber.subscribe("sensors/1", 1, (topic, payload) -> received.add(topic + " " + new String(payload,
                    StandardCharsets.UTF_8)));
            publisher.publish("sensors/1", "21.5 C".getBytes(StandardCharsets.UTF_8), 1);
            assertEquals("sensors/1 21.5 C", received.poll(20, TimeUnit.SECONDS));
        }
        String event = EVENTS.poll(5, TimeUnit.SECONDS);
        assertTrue(event != null && event.startsWith("accepted CN=sensor-1") && event.endsWith("attestation OK"), event);
    }

    @Test
    @Order(2)
    void evidenceReplayedFromAnotherConnectionIsRefused() throws Exception {
        AtomicReference<byte[]> recorded = new AtomicReference<>();
        connect("first", MqttAuthData.METHOD, exporter -> {
            recorded.set(MqttAuthData.encode(attester.frame(exporter)));
            return recorded.get();
        }).close();
        MqttRefusal r = refused("replayer", MqttAuthData.METHOD, exporter -> recorded.get());
        assertEquals(0x87, r.reasonCode());
        assertTrue(r.reasonString().contains("FAIL nonce"), r.reasonString());
    }

    @Test
    @Order(3)
    void noAuthenticationOrAnotherMethodIsRefused() {
        MqttRefusal none = refused("plain", null, null);
        assertEquals(0x8C, none.reasonCode());
        assertTrue(none.reasonString().contains("FAIL auth-method") && none.reasonString().contains("not none"),
                none.reasonString());
        MqttRefusal other = refused("scram", "SCRAM-SHA-256", exporter -> new byte[] {1, 2, 3});
        assertEquals(0x8C, other.reasonCode());
        assertTrue(other.reasonString().contains("not 'SCRAM-SHA-256'"), other.reasonString());
    }

    @Test
    @Order(4)
    void truncatedOrGarbageAuthenticationDataIsRefusedClearly() {
        MqttRefusal truncated = refused("truncated", MqttAuthData.METHOD, exporter -> {
            byte[] good = MqttAuthData.encode(attester.frame(exporter));
            return Arrays.copyOf(good, good.length / 2);
        });
        assertEquals(0x87, truncated.reasonCode());
        assertTrue(truncated.reasonString().contains("FAIL auth-data") && truncated.reasonString().contains("truncated"),
                truncated.reasonString());
        MqttRefusal garbage = refused("garbage", MqttAuthData.METHOD, exporter -> "not evidence at all"
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(0x87, garbage.reasonCode());
        assertTrue(garbage.reasonString().startsWith("FAIL auth-data") || garbage.reasonString().startsWith("FAIL frame"),
                garbage.reasonString());
        MqttRefusal empty = refused("empty", MqttAuthData.METHOD, exporter -> new byte[0]);
        assertTrue(empty.reasonString().contains("no authentication data"), empty.reasonString());
    }

    @Test
    @Order(5)
    void aClientCertificateFromAForeignCaIsRefusedAtTheTlsFront() throws Exception {
        TestCa foreign = TestCa.root("someone else's CA");
        var pair = TestCa.ecKeyPair();
        TlsIdentity stranger = new TlsIdentity(pair.getPrivate(), List.of(new CertificateAuthority(foreign.key(),
                foreign.certificate(), Duration.ofHours(1), null).issueMachine(pair.getPublic(), "stranger", "default")));
        IOException e = assertThrows(IOException.class, () -> AttestedMqttClient.connect("127.0.0.1", broker.port(),
                "stranger", stranger, trust, attester).close());
        assertFalse(e instanceof MqttRefusal, e.toString());
    }

    @Test
    @Order(10)
    void pcrsThatNoLongerMatchTheReferenceStateAreRefusedNamingTheRule() throws Exception {
        tpm.execute(new PcrExtend(4, List.of(new TpmtHa(TpmAlg.SHA1, new byte[20]), new TpmtHa(TpmAlg.SHA256,
                new byte[32]))));
        EVENTS.clear();
        MqttRefusal r = assertThrows(MqttRefusal.class, () -> AttestedMqttClient.connect("127.0.0.1", broker.port(),
                "tampered", machine, trust, attester).close());
        assertEquals(0x87, r.reasonCode());
        assertTrue(r.reasonString().contains("FAIL replay:sha256:4") || r.reasonString().contains("FAIL pcr:sha256:4"),
                r.reasonString());
        assertTrue(r.getMessage().contains("Not authorized (0x87)"), r.getMessage());
        String event = EVENTS.poll(5, TimeUnit.SECONDS);
        assertTrue(event != null && event.startsWith("refused CN=sensor-1"), event);
    }
}
