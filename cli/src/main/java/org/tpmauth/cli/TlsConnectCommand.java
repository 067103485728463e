package org.tpmauth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.tpmauth.attest.client.AttestedTlsClient;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmProvider;
import org.tpmauth.tls.TpmSslContexts;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth tls connect}: a TLS client like {@code openssl s_client}, authenticated by a TPM key. */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Connect to a TLS server with client authentication by a TPM key and report the session:",
            "protocol, cipher suite, our signature scheme, the server's subject, and whether the server accepted",
            "our certificate. Exits 1 with the reason when the handshake or the server's verdict fails."})
final class TlsConnectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Server to connect to.")
    String target;

    @Mixin
    TlsIdentityOptions identity;

    @Option(names = "--tls", paramLabel = "1.2|1.3", description = "Only this TLS version (default: 1.3 or 1.2).")
    String tls;

    @Option(names = "--send", paramLabel = "TEXT", description = "Send TEXT (and a newline) and print the answer.")
    String send;

    @Option(names = "--engine", defaultValue = "bc", paramLabel = "bc|sun",
            description = "TLS implementation: bc (Bouncy Castle JSSE) or sun (the JDK's). Default: ${DEFAULT-VALUE}")
    String engine;

    @Option(names = "--no-verify-hostname", description = "Do not check the server certificate's name.")
    boolean noVerifyHostname;

    @Option(names = "--attest", description = {"Send evidence bound to this connection first (a quote whose nonce comes "
        + "from its TLS exporter), as tpmauth tls serve --require-attestation expects. TLS 1.3 on Bouncy Castle's "
        + "own protocol classes; needs --ak."})
    boolean attest;

    @Mixin
    AttestEvidenceOptions evidence;

    @Spec
    CommandSpec spec;

    /** How long to wait for the server's verdict (an alert) after the handshake. */
    private static final int VERDICT_MILLIS = 1000;

    @Override
    public Integer call() throws Exception {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("give the server as HOST:PORT, not '" + target + "'");
        }
        String host = target.substring(0, colon);
        int port = Integer.parseInt(target.substring(colon + 1));
        TpmSslContexts.Engine tlsEngine = switch (engine.toLowerCase()) {
            case "bc" -> TpmSslContexts.Engine.BC_JSSE;
            case "sun" -> TpmSslContexts.Engine.SUN_JSSE;
            default -> throw new IllegalArgumentException("--engine is bc or sun, not '" + engine + "'");
        };
        String[] protocols = tls == null ? new String[] {"TLSv1.3", "TLSv1.2"} : switch (tls) {
            case "1.2" -> new String[] {"TLSv1.2"};
            case "1.3" -> new String[] {"TLSv1.3"};
            default -> throw new IllegalArgumentException("--tls is 1.2 or 1.3, not '" + tls + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        if (attest) {
            return attested(host, port, out);
        }
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            SSLContext context = TpmSslContexts.create(tlsEngine, identity.keyManager(keys), identity.ca);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
                SSLParameters params = socket.getSSLParameters();
                params.setProtocols(protocols);
                if (!noVerifyHostname) {
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                }
                socket.setSSLParameters(params);
                TpmProvider.clearLastSignatureScheme();
                try {
                    handshake(socket);
                } catch (IOException e) {
                    throw identity.explainMissingPassword(e);
                }
                String scheme = TpmProvider.lastSignatureScheme();
                String answer = verdict(socket, scheme != null);
                var session = socket.getSession();
                out.println("protocol: " + session.getProtocol());
                out.println("cipher suite: " + session.getCipherSuite());
                out.println("signature scheme: " + (scheme == null ? "none (no client certificate sent)" : scheme));
                out.println("peer: " + ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal()
                        .getName());
                out.println("client auth: " + (scheme == null ? "not requested by the server" : "accepted"));
                if (answer != null) {
                    out.println("received: " + answer);
                }
            }
        }
        return 0;
    }

    /** --attest: handshake, evidence bound to the connection, the server's verdict, then --send. */
    private int attested(String host, int port, PrintWriter out) throws Exception {
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            TlsIdentity tlsIdentity = identity.tlsIdentity(keys);
            AttestedTlsClient.Attester attester = evidence.attester(tpm, keys, identity.cert);
            try (BoundConnection c = AttestedTlsClient.connect(new Socket(host, port), tlsIdentity,
                    new CertificateCheck(Certificates.read(identity.ca)), attester)) {
                out.println("protocol: TLSv1.3");
                out.println("peer: " + c.peerChain().get(0).getSubjectX500Principal().getName());
                out.println("attestation: accepted");
                if (send != null) {
                    c.out().write((send + "\n").getBytes(StandardCharsets.UTF_8));
                    c.out().flush();
                    String answer = new java.io.BufferedReader(new java.io.InputStreamReader(c.in(),
                            StandardCharsets.UTF_8)).readLine();
                    out.println("received: " + answer);
                }
            } catch (ServiceRefusal r) {
                spec.commandLine().getErr().println(r.getMessage());
                return 1;
            }
        }
        return 0;
    }

    private static void handshake(SSLSocket socket) throws IOException {
        try {
            socket.startHandshake();
        } catch (SSLException e) {
            throw new IOException("TLS handshake failed: " + e.getMessage() + hint(e.getMessage()), e);
        }
    }

    /**
     * Sends --send and reads the answer; in TLS 1.3 a server refuses a client certificate only after the
     * handshake, so a read shows its verdict: an alert is a refusal, data or silence is acceptance.
     */
    private String verdict(SSLSocket socket, boolean certificateSent) throws IOException {
        try {
            if (send != null) {
                socket.getOutputStream().write((send + "\n").getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            }
            socket.setSoTimeout(VERDICT_MILLIS);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16384];
            int n = in.read(buffer);
            return n > 0 ? new String(buffer, 0, n, StandardCharsets.UTF_8).strip() : null;
        } catch (SocketTimeoutException silence) {
            return null;
        } catch (SSLException e) {
            throw new IOException((certificateSent ? "the server refused our certificate: " : "the server ended the "
                    + "session: ") + e.getMessage() + hint(e.getMessage()), e);
        }
    }

    private static String hint(String message) {
        String m = String.valueOf(message);
        if (m.contains("certificate_required")) {
            return " (our certificate was not sent: its issuer is not among the CAs the server accepts)";
        }
        if (m.contains("unknown_ca") || m.contains("bad_certificate")) {
            return " (the server does not trust our certificate's CA)";
        }
        if (m.contains("PKIX") || m.contains("certification path")) {
            return " (the server's certificate is not issued by --ca)";
        }
        return "";
    }
}
