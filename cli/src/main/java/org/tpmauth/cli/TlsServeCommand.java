package org.tpmauth.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.attest.service.AttestedTls;
import org.tpmauth.attest.service.Refusal;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth tls serve}: a TLS 1.3 echo server that demands client certificates, and optionally attestation. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"A TLS 1.3 server that requires a client certificate from --ca and echoes each line back. With "
            + "--require-attestation, a client gets in only when the evidence it sends first on the connection (a "
            + "quote whose nonce comes from this connection's TLS exporter, signed by an AK certified by --ca) passes "
            + "the reference state; evidence replayed from another connection fails. Prints one line per client; "
            + "runs until stopped."})
final class TlsServeCommand implements Callable<Integer> {
    @Option(names = "--port", required = true, paramLabel = "P", description = "TCP port.")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR", description = "Address (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--key", required = true, paramLabel = "KEY",
            description = "Server key: PEM, a TSS2 key file, a persistent handle (0x81...) or keystore:PATH.")
    Path key;

    @Mixin
    KeystoreKeyOptions keystore = new KeystoreKeyOptions();

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "Server certificate (chain).")
    Path cert;

    @Mixin
    ClientAdmissionOptions admission = new ClientAdmissionOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RefState ref = admission.referenceState();
        CertificateCheck clients = admission.clients();
        PrintWriter out = spec.commandLine().getOut();
        try (ServerKeys keys = ServerKeys.open(spec, keystore, key); ServerSocket listener = new ServerSocket()) {
            TlsIdentity identity = keys.identity(key, cert);
            listener.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            out.println("listening on " + bind + ":" + listener.getLocalPort()
                    + (ref == null ? "" : ", attestation required"));
            while (true) {
                Socket s = listener.accept();
                Thread t = new Thread(() -> serve(s, identity, clients, ref, out), "tls-client");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket socket, TlsIdentity identity, CertificateCheck clients, RefState ref,
            PrintWriter out) {
        String from = String.valueOf(socket.getRemoteSocketAddress());
        try (socket; BoundConnection c = ref == null
                ? BoundTls.accept(socket, identity, clients, BoundTls.ClientAuth.REQUIRED)
                : AttestedTls.accept(socket, identity, clients, ref)) {
            out.println("accepted " + c.peerChain().get(0).getSubjectX500Principal().getName() + " from " + from
                    + (ref == null ? "" : ": attestation OK"));
            BufferedReader lines = new BufferedReader(new InputStreamReader(c.in(), StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                c.out().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                c.out().flush();
            }
        } catch (Refusal r) {
            out.println("refused " + from + ": " + r.getMessage().strip().replace('\n', ' '));
        } catch (java.io.IOException e) {
            out.println("connection from " + from + " failed: " + e.getMessage());
        }
    }
}
