package org.tpmauth.attest.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.est.ESTClient;
import org.bouncycastle.est.ESTClientProvider;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.ESTRequestBuilder;
import org.bouncycastle.est.ESTResponse;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.ESTServiceBuilder;
import org.bouncycastle.est.Source;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * The machine's side of the attestation service's HTTPS: each request on its own TLS connection
 * ({@link BoundTls}, so the connection's exporter value is known before the request is written), with
 * Bouncy Castle's EST classes reading the HTTP answers.
 */
public final class ServiceClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_MILLIS = 30_000;

    private final URI server;
    private final CertificateCheck serverCheck;

    /** @param server https://HOST:PORT */
    public ServiceClient(URI server, List<X509Certificate> serverCas) {
        if (!"https".equals(server.getScheme()) || server.getHost() == null || server.getPort() < 0) {
            throw new IllegalArgumentException("give the service as https://HOST:PORT, not '" + server + "'");
        }
        this.server = server;
        this.serverCheck = new CertificateCheck(serverCas);
    }

    /** A TLS connection to the service, authenticated by {@code identity} (null: no client certificate). */
    public BoundConnection connect(TlsIdentity identity) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return BoundTls.connect(socket, identity, serverCheck);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot reach the attestation service at " + server + ": " + e.getMessage(), e);
        }
    }

    /** POSTs JSON on {@code connection} and returns the JSON answer; a refusal is a {@link ServiceRefusal}. */
    public JsonNode postJson(BoundConnection connection, String path, JsonNode body) throws IOException {
        URL url = server.resolve(path).toURL();
        ESTClient client = client(connection);
        ESTResponse response = client.doRequest(new ESTRequestBuilder("POST", url)
                .addHeader("Content-Type", "application/json")
                .withData(body.toString().getBytes(StandardCharsets.UTF_8)).withClient(client).build());
        try {
            byte[] answer = readAll(response.getInputStream());
            if (response.getStatusCode() != 200) {
                throw new ServiceRefusal(response.getStatusCode(), new String(answer, StandardCharsets.UTF_8));
            }
            return JSON.readTree(new String(answer, StandardCharsets.UTF_8));
        } finally {
            response.close();
        }
    }

    /** Bouncy Castle's EST service over {@code connection} (one request). */
    public ESTService est(BoundConnection connection) {
        ESTClient client = client(connection);
        return new ESTServiceBuilder(server.getHost() + ":" + server.getPort()).withClientProvider(new ESTClientProvider() {
            @Override
            public ESTClient makeClient() {
                return client;
            }

            @Override
            public boolean isTrusted() {
                return true; // the server's certificate was checked in the handshake
            }
        }).build();
    }

    /** An EST refusal with the service's verdict text. */
    public static ServiceRefusal refusal(ESTException e) {
        String body = "";
        if (e.getBody() != null) {
            try {
                body = new String(readAll(e.getBody()), StandardCharsets.UTF_8);
            } catch (IOException ignored) {
                // the status alone must do
            }
        }
        return new ServiceRefusal(e.getStatusCode(), body.isEmpty() ? e.getMessage() : body);
    }

    private static ESTClient client(BoundConnection connection) {
        return new BoundEstClient(new Source<BoundConnection>() {
            @Override
            public InputStream getInputStream() {
                return connection.in();
            }

            @Override
            public OutputStream getOutputStream() {
                return connection.out();
            }

            @Override
            public BoundConnection getSession() {
                return connection;
            }

            @Override
            public void close() throws IOException {
                connection.close();
            }
        });
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in == null ? new byte[0] : in.readAllBytes();
    }
}
