package org.tpmauth.attest.mqtt;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.client.AttestedMqttClient;
import org.tpmauth.attest.client.AttestedTlsClient;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.service.CertificateAuthority;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * Median MQTT 5 connect latency to the embedded broker, machine on swtpm: with evidence (TLS 1.3 with
 * the TPM key, a quote bound to the exporter, the broker's check of quote, boot log and reference state)
 * and without (the same TLS and broker, no evidence asked). A measurement, not a test. Run with
 * {@code mvn -pl attestation-service -am test -Dtpmauth.bench=true -Dtest=AttestedMqttBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class AttestedMqttBenchmark {
    private static final int WARMUP = 5;
    private static final int CONNECTS = 25;
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;

    @Test
    void connectLatencyWithAndWithoutEvidence() throws Exception {
        ServiceFixture fixture = new ServiceFixture(dir);
        try (Tpm tpm = new Tpm(SWTPM.openTpm().tcti(), true); TpmKeys keys = new TpmKeys(tpm)) {
            fixture.boot(tpm);
            TpmKey ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, TpmHandles.RH_OWNER), null);
            CertificateAuthority ca = new CertificateAuthority(fixture.ca.key(), fixture.ca.certificate(),
                    Duration.ofHours(1), null);
            TlsIdentity machine = new TlsIdentity(TpmPrivateKey.of(keys, key), List.of(ca.issueMachine(key.publicKey(),
                    "bench", "default")));
            AttestedTlsClient.Attester attester = new AttestedTlsClient.Attester(tpm, ak, ca.issueAk(ak.publicKey(),
                    "bench", "default"), MachineEvidence.DEFAULT_PCRS, fixture.log);
            CertificateCheck trust = new CertificateCheck(List.of(fixture.ca.certificate()));
            double with = median(fixture, machine, trust, fixture.refState, attester, "with");
            double without = median(fixture, machine, trust, null, null, "without");
            System.out.printf("MQTT 5 connect (TLS 1.3, swtpm key), median of %d: with evidence %.1f ms, without %.1f ms%n",
                    CONNECTS, with, without);
        }
    }

    private static double median(ServiceFixture fixture, TlsIdentity machine, CertificateCheck trust, RefState ref,
            AttestedTlsClient.Attester attester, String name) throws Exception {
        try (AttestedMqttBroker broker = AttestedMqttBroker.start(new AttestedMqttBroker.Settings(
                InetAddress.getLoopbackAddress(), 0, fixture.serverTls, trust, ref, dir.resolve(name), line -> { }))) {
            double[] millis = new double[CONNECTS];
            double[] closing = new double[CONNECTS];
            double[] handshakes = new double[CONNECTS];
            for (int i = -WARMUP; i < CONNECTS; i++) {
                long start = System.nanoTime();
                org.tpmauth.tls.bound.BoundTls.connect(new java.net.Socket("127.0.0.1", broker.port()), machine, trust)
                        .close();
                if (i >= 0) {
                    handshakes[i] = (System.nanoTime() - start) / 1e6;
                }
            }
            Arrays.sort(handshakes);
            for (int i = -WARMUP; i < CONNECTS; i++) {
                long start = System.nanoTime();
                var client = AttestedMqttClient.connect("127.0.0.1", broker.port(), "bench-" + name + i, machine, trust,
                        attester);
                long connected = System.nanoTime();
                client.close();
                if (i >= 0) {
                    millis[i] = (connected - start) / 1e6;
                    closing[i] = (System.nanoTime() - connected) / 1e6;
                }
            }
            Arrays.sort(millis);
            Arrays.sort(closing);
            System.out.printf("%s evidence: connect median %.1f ms (of which the TLS 1.3 handshake alone: %.1f ms), "
                    + "disconnect median %.1f ms%n", name, millis[CONNECTS / 2], handshakes[CONNECTS / 2],
                    closing[CONNECTS / 2]);
            return millis[CONNECTS / 2];
        }
    }
}
