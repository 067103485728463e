package org.tpmauth.attest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.SecretKey;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.tpmauth.attest.service.operator.OperatorAccess;
import org.tpmauth.attest.service.operator.OperatorConsole;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * {@code tpmauth attest server}: HTTPS + JSON enrollment and EST renewal: a {@link TlsFrontend}
 * terminates TLS and Apache HttpCore's server ({@link TlsHttpServer}) reads the requests from the decrypted
 * stream, so every request comes with its connection's tls-exporter value and client certificate. Endpoints:
 * <ul>
 * <li>{@code POST /attest/v1/enroll}, {@code POST /attest/v1/activate}: {@link Enrollment}</li>
 * <li>{@code GET /.well-known/est/cacerts}: the CA certificate, PKCS#7 certs-only, base64 (RFC 7030 4.1)</li>
 * <li>{@code POST /.well-known/est/simplereenroll}: {@link Renewal}</li>
 * <li>{@code GET /crl}: the CRL (DER), the URL the machine certificates name</li>
 * <li>{@code /operator/}: the operator's pages ({@link OperatorConsole}), for operator certificates only</li>
 * </ul>
 * Refusals answer 400/403 with the verdict as text, one "FAIL check: message" line per failed check.
 */
public final class AttestationServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AttestationServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests are small (an event log is the largest part); larger bodies are refused. */
    private static final int MAX_BODY = 4 << 20;

    /**
     * How to run a service instance.
     *
     * @param port         TCP port (0: any free one)
     * @param tls          the server's TLS certificate and key
     * @param caKey        the CA key (software, or a TPM key through the TPM2 provider)
     * @param crlUrl       the CRL URL to put in certificates; null: https://HOST:PORT/crl of this instance
     * @param tokenKey     the token sealing key; null: the database's
     * @param operatorCas  the CAs of the operators' client certificates; empty: the operator pages are off
     */
    public record Settings(InetAddress bind, int port, TlsIdentity tls, PrivateKey caKey, X509Certificate caCert,
            Duration certLifetime, String crlUrl, EkCertificateVerifier ekRoots, Map<String, RefState> refStates,
            Database database, SecretKey tokenKey, Duration tokenLifetime, List<X509Certificate> operatorCas) {
        public Settings {
            operatorCas = List.copyOf(operatorCas);
        }

        /** Settings without operator pages. */
        public Settings(InetAddress bind, int port, TlsIdentity tls, PrivateKey caKey, X509Certificate caCert,
                Duration certLifetime, String crlUrl, EkCertificateVerifier ekRoots, Map<String, RefState> refStates,
                Database database, SecretKey tokenKey, Duration tokenLifetime) {
            this(bind, port, tls, caKey, caCert, certLifetime, crlUrl, ekRoots, refStates, database, tokenKey,
                    tokenLifetime, List.of());
        }
    }

    private final TlsFrontend frontend;
    private final Verification verification;
    private final Enrollment enrollment;
    private final Renewal renewal;
    private final OperatorConsole operator;

    private AttestationServer(Settings s) throws IOException, SQLException {
        // before anything listens: an operator CA that is the machine CA is refused
        OperatorAccess operators = s.operatorCas().isEmpty() ? null : new OperatorAccess(s.operatorCas(), s.caCert());
        // client certificates of machines and of operators; which one a request has decides what it may do
        List<X509Certificate> clientCas = new java.util.ArrayList<>(List.of(s.caCert()));
        clientCas.addAll(s.operatorCas());
        // a request may hold megabytes (an event log): a few at once, the others wait unread
        TlsHttpServer http = new TlsHttpServer(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
        http.route("/attest/v1/enroll", (q, a, peer) -> handle(q, a, peer, "POST", this::enroll))
                .route("/attest/v1/activate", (q, a, peer) -> handle(q, a, peer, "POST", this::activate))
                .route("/.well-known/est/cacerts", (q, a, peer) -> handle(q, a, peer, "GET", this::caCerts))
                .route("/.well-known/est/simplereenroll", (q, a, peer) -> handle(q, a, peer, "POST", this::simpleReenroll))
                .route("/crl", (q, a, peer) -> handle(q, a, peer, "GET", this::crl))
                .route("/operator*", this::operatorPage);
        frontend = new TlsFrontend(new InetSocketAddress(s.bind(), s.port()), http, s.tls(),
                new CertificateCheck(clientCas), BoundTls.ClientAuth.OPTIONAL);
        String crlUrl = s.crlUrl() != null ? s.crlUrl() : "https://" + urlHost(s.bind()) + ":" + frontend.port() + "/crl";
        verification = new Verification(new CertificateAuthority(s.caKey(), s.caCert(), s.certLifetime(), crlUrl),
                s.ekRoots(), s.refStates(), s.database(), s.tokenKey() != null ? s.tokenKey() : s.database().tokenKey(),
                s.tokenLifetime());
        enrollment = new Enrollment(verification);
        renewal = new Renewal(verification);
        operator = new OperatorConsole(s.database(), operators, verification.tokenKey());
    }

    /**
     * The host of the default CRL URL: this machine's name when bound to every address, else the bound address
     * itself (no reverse lookup, which may hang where no DNS answers and may name what the TLS certificate does not).
     */
    private static String urlHost(InetAddress bind) throws IOException {
        if (bind.isAnyLocalAddress()) {
            return InetAddress.getLocalHost().getCanonicalHostName();
        }
        return bind instanceof java.net.Inet6Address ? "[" + bind.getHostAddress() + "]" : bind.getHostAddress();
    }

    public static AttestationServer start(Settings settings) throws IOException, SQLException {
        return new AttestationServer(settings);
    }

    /** The port the service listens on. */
    public int port() {
        return frontend.port();
    }

    public Verification verification() {
        return verification;
    }

    /** An answer: status, content type, body, extra headers. */
    private record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Answer json(JsonNode n) {
            return new Answer(200, "application/json", n.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        }

        /** RFC 7030: PKCS#7 certs-only, base64 encoded. */
        static Answer pkcs7(List<X509Certificate> certs) {
            byte[] b64 = Base64.getMimeEncoder().encode(EstMessages.certsOnly(certs));
            return new Answer(200, "application/pkcs7-mime; smime-type=certs-only", b64,
                    Map.of("Content-Transfer-Encoding", "base64"));
        }
    }

    private interface Handler {
        Answer handle(ClassicHttpRequest request, TlsFrontend.Peer peer) throws Refusal, SQLException, IOException;
    }

    private static void handle(ClassicHttpRequest request, ClassicHttpResponse response, TlsFrontend.Peer peer,
            String method, Handler handler) throws IOException {
        Answer answer;
        try {
            if (!request.getMethod().equals(method)) {
                throw new Refusal(405, List.of(new org.tpmauth.attestation.Failure("method",
                        path(request) + " takes " + method)));
            }
            answer = handler.handle(request, peer);
        } catch (Refusal r) {
            answer = new Answer(r.status(), "text/plain; charset=utf-8", r.getMessage().getBytes(StandardCharsets.UTF_8),
                    Map.of());
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, path(request) + " failed", e);
            answer = new Answer(500, "text/plain; charset=utf-8", ("the service failed: " + e.getMessage() + "\n")
                    .getBytes(StandardCharsets.UTF_8), Map.of());
        }
        response.setCode(answer.status());
        response.setHeader("Content-Type", answer.contentType());
        answer.headers().forEach(response::setHeader);
        if (answer.body().length > 0) {
            response.setEntity(new ByteArrayEntity(answer.body(), null));
        }
    }

    /** The request's path, without its query. */
    private static String path(ClassicHttpRequest request) {
        return TlsHttpServer.withoutQuery(request.getPath());
    }

    /**
     * The request's body, into one array of the declared length where there is one (read in large pieces
     * straight from the TLS stream, no second copy of a megabyte EST body); else up to the limit.
     */
    private static byte[] body(ClassicHttpRequest request) throws IOException, Refusal {
        HttpEntity entity = request.getEntity();
        if (entity == null) {
            return new byte[0];
        }
        try (InputStream in = entity.getContent()) {
            long declared = entity.getContentLength();
            byte[] data;
            if (declared >= 0 && declared <= MAX_BODY) {
                data = new byte[(int) declared];
                int n = in.readNBytes(data, 0, data.length);
                data = n == data.length ? data : java.util.Arrays.copyOf(data, n);
            } else {
                data = in.readNBytes(MAX_BODY + 1);
            }
            if (data.length > MAX_BODY) {
                throw new Refusal(413, List.of(new org.tpmauth.attestation.Failure("size", "the request is larger than "
                        + MAX_BODY + " bytes")));
            }
            return data;
        }
    }

    private static JsonNode jsonBody(ClassicHttpRequest request) throws IOException, Refusal {
        try {
            JsonNode n = JSON.readTree(new String(body(request), StandardCharsets.UTF_8)); // UTF-8, not guessed
            if (n == null || !n.isObject()) {
                throw Refusal.badRequest("request", "the request is not a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw Refusal.badRequest("request", "the request is not JSON: " + e.getOriginalMessage());
        }
    }

    private Answer enroll(ClassicHttpRequest request, TlsFrontend.Peer peer) throws Refusal, SQLException, IOException {
        return Answer.json(enrollment.begin(jsonBody(request), ChannelBinding.nonce(peer.exporter())).toJson());
    }

    private Answer activate(ClassicHttpRequest request, TlsFrontend.Peer peer) throws Refusal, SQLException, IOException {
        Enrollment.Issued issued = enrollment.activate(jsonBody(request));
        ObjectNode n = JSON.createObjectNode();
        n.put("device", issued.device());
        n.put("akCertificate", Pem.encode(issued.akCertificate()));
        n.put("certificate", Pem.encode(issued.machineCertificate()));
        n.put("caCertificate", Pem.encode(verification.ca().certificate()));
        return Answer.json(n);
    }

    private Answer caCerts(ClassicHttpRequest request, TlsFrontend.Peer peer) {
        return Answer.pkcs7(List.of(verification.ca().certificate()));
    }

    private Answer simpleReenroll(ClassicHttpRequest request, TlsFrontend.Peer peer) throws Refusal, SQLException, IOException {
        PKCS10CertificationRequest csr = EstMessages.readCsr(body(request));
        return Answer.pkcs7(List.of(renewal.reenroll(csr, peer.chain(), peer.exporter())));
    }

    private void operatorPage(ClassicHttpRequest request, ClassicHttpResponse response, TlsFrontend.Peer peer) {
        operator.serve(request, response, peer.chain());
    }

    private Answer crl(ClassicHttpRequest request, TlsFrontend.Peer peer) throws SQLException {
        try {
            byte[] der = verification.ca().crl(verification.database().revokedSerials(Instant.now())).getEncoded();
            return new Answer(200, "application/pkix-crl", der, Map.of());
        } catch (CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        frontend.close();
    }
}
