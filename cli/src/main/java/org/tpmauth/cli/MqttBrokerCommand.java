package org.tpmauth.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.tpmauth.attest.mqtt.AttestedMqttBroker;
import org.tpmauth.attest.mqtt.MqttAuthData;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.demo.TempFolder;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth mqtt broker}: the embedded HiveMQ CE broker behind our TLS, optionally demanding evidence. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"An MQTT 5 broker (embedded HiveMQ Community Edition) behind TLS 1.3 that requires a client "
            + "certificate from --ca. With --require-attestation, a client gets in only when its CONNECT carries "
            + "evidence (authentication method " + MqttAuthData.METHOD + ": a quote whose nonce comes from this "
            + "connection's TLS exporter, signed by an AK certified by --ca) that passes the reference state; "
            + "otherwise the CONNACK refuses it (Not authorized, or Bad authentication method) naming the broken "
            + "rules. Evidence replayed from another connection fails. Clients: tpmauth mqtt publish|subscribe "
            + "--attest. Prints one line per client; runs until stopped."})
final class MqttBrokerCommand implements Callable<Integer> {
    @Option(names = "--port", required = true, paramLabel = "P", description = "TCP port of the TLS listener.")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR", description = "Address (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--tls-key", required = true, paramLabel = "KEY",
            description = "Broker key: PEM, a TSS2 key file, a persistent handle or keystore:PATH (TSS2_FAPICONF).")
    Path tlsKey;

    @Mixin
    KeystoreKeyOptions keystore = new KeystoreKeyOptions();

    @Option(names = "--tls-cert", required = true, paramLabel = "cert.pem", description = "Broker certificate (chain).")
    Path tlsCert;

    @Mixin
    ClientAdmissionOptions admission = new ClientAdmissionOptions();

    @Option(names = "--data", paramLabel = "DIR",
            description = "HiveMQ's configuration and data folder (default: a temporary one, removed on exit).")
    Path data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RefState ref = admission.referenceState();
        CertificateCheck clients = admission.clients();
        PrintWriter out = spec.commandLine().getOut();
        try (ServerKeys keys = ServerKeys.open(spec, keystore, tlsKey);
                TempFolder temp = data == null ? new TempFolder(Files.createTempDirectory("tpmauth-broker")) : null) {
            TlsIdentity identity = keys.identity(tlsKey, tlsCert);
            Path folder = data != null ? data : temp.path();
            try (AttestedMqttBroker broker = AttestedMqttBroker.start(new AttestedMqttBroker.Settings(
                    InetAddress.getByName(bind), port, identity, clients, ref, folder, line -> {
                        synchronized (out) {
                            out.println(line);
                            out.flush();
                        }
                    }))) {
                synchronized (out) {
                    out.println("listening on " + bind + ":" + broker.port() + " (MQTT 5 over TLS 1.3)"
                            + (ref == null ? "" : ", attestation required"));
                    out.flush();
                }
                runUntilStopped();
            }
        }
        return 0;
    }

    /** Waits until interrupted or the process is stopped (Ctrl-C): then the broker and its folder are closed. */
    private static void runUntilStopped() {
        Thread serving = Thread.currentThread();
        Thread hook = new Thread(() -> {
            serving.interrupt();
            try {
                serving.join(10_000);
            } catch (InterruptedException e) {
                // exiting anyway
            }
        }, "tpmauth-broker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException stopped) {
            // closing
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
        }
    }
}
