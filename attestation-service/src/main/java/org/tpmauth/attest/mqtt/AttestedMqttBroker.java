package org.tpmauth.attest.mqtt;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.tpmauth.attest.service.TlsFrontend;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * An MQTT 5 broker that admits a machine only with evidence bound to its TLS connection: the embedded
 * HiveMQ Community Edition listens on loopback only, behind a {@link TlsFrontend} (TLS 1.3, client
 * certificate from {@code clients} required) that knows each connection's tls-exporter; the extension
 * ({@link EvidenceAuthenticator}) finds the connection by the address its relay connects from and judges
 * the evidence in CONNECT. HiveMQ cannot do this alone: its Netty TLS engine exposes no exporter.
 * One broker per JVM (HiveMQ's extension services are static).
 */
public final class AttestedMqttBroker implements AutoCloseable {
    /**
     * HiveMQ logs through logback, whose default (in HiveMQ's jar) writes everything from INFO up to
     * standard output; this configuration keeps warnings and errors, on standard error. Set before
     * logback starts, unless the application chose its own.
     */
    private static final String LOGBACK = "org/tpmauth/attest/mqtt/hivemq-logback.xml";

    /**
     * @param bind      the address clients connect to
     * @param port      their port (0: any free one)
     * @param tls       the broker's TLS identity
     * @param clients   the CAs of client certificates, and of AK certificates in the evidence
     * @param refState  the reference state the evidence must pass; null admits any client with a certificate
     * @param dataFolder HiveMQ's configuration and data (created; messages are kept in memory only)
     * @param events    a line per admitted or refused client
     */
    public record Settings(InetAddress bind, int port, TlsIdentity tls, CertificateCheck clients, RefState refState,
            Path dataFolder, Consumer<String> events) {
    }

    /** Where HiveMQ listens (as its configuration says); the front's relays connect from elsewhere in 127/8. */
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final EmbeddedHiveMQ hivemq;
    private final TlsFrontend front;

    private AttestedMqttBroker(EmbeddedHiveMQ hivemq, TlsFrontend front) {
        this.hivemq = hivemq;
        this.front = front;
    }

    /** Starts HiveMQ, its extension and the TLS front; returns when clients can connect. */
    public static AttestedMqttBroker start(Settings s) throws IOException {
        InetSocketAddress backend = new InetSocketAddress(LOOPBACK, freeLoopbackPort());
        Path conf = Files.createDirectories(s.dataFolder().resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), config(backend.getPort()));
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK);
        }
        // the front opens its port once HiveMQ runs; until then no CONNECT can reach the extension
        AtomicReference<TlsFrontend> front = new AtomicReference<>();
        EvidenceAuthenticator authenticator = new EvidenceAuthenticator(address -> front.get() == null ? null
                : front.get().connection(address), s.clients(), s.refState(), s.events());
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(s.dataFolder().resolve("data")))
                .withExtensionsFolder(Files.createDirectories(s.dataFolder().resolve("extensions")))
                .withoutLoggingBootstrap()
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("tpmauth-attest").withName("tpmauth evidence bound to the TLS connection")
                        .withVersion("1").withAuthor("tpmauth").withPriority(1000).withStartPriority(1000)
                        .withExtensionMain(new ExtensionMain() {
                            @Override
                            public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
                                Services.securityRegistry().setEnhancedAuthenticatorProvider(i -> authenticator);
                            }

                            @Override
                            public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {
                            }
                        }).build())
                .build();
        try {
            hivemq.start().get();
            front.set(new TlsFrontend(new InetSocketAddress(s.bind(), s.port()), backend, s.tls(), s.clients(),
                    BoundTls.ClientAuth.REQUIRED));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            hivemq.stop().join();
            throw new IOException("interrupted while the MQTT broker started", e);
        } catch (ExecutionException e) {
            throw new IOException("the embedded HiveMQ broker did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (IOException e) {
            hivemq.stop().join();
            throw e;
        }
        return new AttestedMqttBroker(hivemq, front.get());
    }

    /** The TLS port clients connect to. */
    public int port() {
        return front.port();
    }

    @Override
    public void close() throws IOException {
        try {
            front.close();
        } finally {
            try {
                hivemq.close();
            } catch (ExecutionException e) {
                throw new IOException("the embedded HiveMQ broker did not stop cleanly: " + e.getCause().getMessage(),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** HiveMQ's configuration: one MQTT listener on loopback, messages in memory, no usage statistics sent. */
    private static String config(int port) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener><port>%d</port><bind-address>%s</bind-address></tcp-listener>
                  </listeners>
                  <persistence><mode>in-memory</mode></persistence>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, LOOPBACK.getHostAddress());
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            return probe.getLocalPort();
        }
    }
}
