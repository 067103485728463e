package org.tpmauth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.crypto.spec.SecretKeySpec;
import org.tpmauth.attest.service.AttestationServer;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.Certificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest server}: the enrollment and renewal service. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run the attestation service: HTTPS + JSON enrollment (EK certificate chain, restricted AK, "
            + "TPM2_Certify of the key, quote against the reference state, credential activation) that issues an AK "
            + "certificate and a short-lived machine certificate; EST renewal (/.well-known/est/cacerts, "
            + "/simplereenroll) whose CSR carries evidence bound to the connection; the CRL at /crl; with "
            + "--operator-ca, the operators' status page at /operator/.",
            "Options may also come from --config FILE, a JSON object with the same names (\"port\", \"ca-key\", "
                + "..., \"groups\": {\"name\": \"ref.json\"}); the command line wins."})
final class AttestServerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "JSON file with the options below.")
    Path config;

    @Option(names = "--port", paramLabel = "P", description = "TCP port (default 8443).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: all).")
    String bind;

    @Option(names = "--ca-key", paramLabel = "K", description = "CA private key: PEM, or a TPM key (TSS2 key file, "
            + "0x81 handle, keystore:PATH): it then signs certificates and CRLs in the TPM that the global --tcti names "
            + "(as for every command).")
    Path caKey;

    @Option(names = "--ca-cert", paramLabel = "C", description = "CA certificate (PEM).")
    Path caCert;

    @Option(names = "--tls-key", paramLabel = "K", description = "The service's TLS key: PEM, a TSS2 key file, a "
            + "persistent handle or keystore:PATH (TSS2_FAPICONF).")
    Path tlsKey;

    @Option(names = "--tls-cert", paramLabel = "C", description = "The service's TLS certificate (chain, PEM).")
    Path tlsCert;

    @Option(names = "--ek-roots", paramLabel = "DIR", description = "Trusted TPM manufacturer roots and intermediates.")
    Path ekRoots;

    @Option(names = "--refstate", paramLabel = "ref.json", description = "Reference state of the group 'default'.")
    Path refstate;

    @Option(names = "--group", paramLabel = "NAME=ref.json", description = "Reference state of another device group (repeatable).")
    Map<String, Path> groups = new LinkedHashMap<>();

    @Option(names = "--cert-lifetime", paramLabel = "DURATION", description = "Machine certificate lifetime, e.g. 8h, 30m, 2d (default 8h).")
    String certLifetime;

    @Option(names = "--database", paramLabel = "PATH|URL",
            description = "Embedded database file (default ./tpmauth-attest) or jdbc:postgresql://HOST/DB?user=...")
    String database;

    @Option(names = "--token-key", paramLabel = "FILE",
            description = "32-byte key file that seals enrollment tokens (default: a key kept in the database).")
    Path tokenKey;

    @Option(names = "--crl-url", paramLabel = "URL", description = "CRL URL put into certificates (default https://HOST:PORT/crl).")
    String crlUrl;

    @Option(names = "--operator-ca", paramLabel = "ca.pem", description = "CA certificate(s) of the operators' client "
            + "certificates: opens the status page at https://HOST:PORT/operator/ to them (a separate CA, not --ca-cert). "
            + "Without it the page is off.")
    Path operatorCa;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (config != null) {
            applyConfig(new ObjectMapper().readTree(config.toFile()));
        }
        require(caKey, "--ca-key");
        require(caCert, "--ca-cert");
        require(tlsKey, "--tls-key");
        require(tlsCert, "--tls-cert");
        require(ekRoots, "--ek-roots");
        require(refstate, "--refstate");
        Map<String, RefState> refStates = new LinkedHashMap<>();
        refStates.put("default", RefState.fromJson(Files.readString(refstate)));
        for (Map.Entry<String, Path> g : groups.entrySet()) {
            refStates.put(g.getKey(), RefState.fromJson(Files.readString(g.getValue())));
        }
        try (ServerKeys keys = ServerKeys.open(spec, new KeystoreKeyOptions(), caKey, tlsKey);
                Database db = Database.open(database == null ? "tpmauth-attest" : database)) {
            List<X509Certificate> ca = Certificates.read(caCert);
            AttestationServer.Settings settings = new AttestationServer.Settings(
                    bind == null ? InetAddress.getByName("0.0.0.0") : InetAddress.getByName(bind),
                    port == null ? 8443 : port, keys.identity(tlsKey, tlsCert),
                    keys.privateKey(caKey), ca.get(0), parseDuration(certLifetime == null ? "8h" : certLifetime), crlUrl,
                    EkCertificateVerifier.fromDirectory(ekRoots), refStates, db,
                    tokenKey == null ? null : new SecretKeySpec(readTokenKey(tokenKey), "AES"), Duration.ofMinutes(5),
                    operatorCa == null ? List.of() : Certificates.read(operatorCa));
            try (AttestationServer server = AttestationServer.start(settings)) {
                spec.commandLine().getOut().println("attestation service on port " + server.port() + ", database "
                        + db.describe() + ", groups " + refStates.keySet()
                        + (operatorCa == null ? "" : ", operator page https://HOST:" + server.port() + "/operator/"));
                new CountDownLatch(1).await();
            }
        }
        return 0;
    }

    private void applyConfig(JsonNode c) {
        port = port != null ? port : c.has("port") ? c.get("port").asInt() : null;
        bind = bind != null ? bind : text(c, "bind");
        caKey = path(caKey, c, "ca-key");
        caCert = path(caCert, c, "ca-cert");
        tlsKey = path(tlsKey, c, "tls-key");
        tlsCert = path(tlsCert, c, "tls-cert");
        ekRoots = path(ekRoots, c, "ek-roots");
        refstate = path(refstate, c, "refstate");
        certLifetime = certLifetime != null ? certLifetime : text(c, "cert-lifetime");
        database = database != null ? database : text(c, "database");
        tokenKey = path(tokenKey, c, "token-key");
        crlUrl = crlUrl != null ? crlUrl : text(c, "crl-url");
        operatorCa = path(operatorCa, c, "operator-ca");
        for (Iterator<Map.Entry<String, JsonNode>> it = c.path("groups").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> g = it.next();
            groups.putIfAbsent(g.getKey(), Path.of(g.getValue().asText()));
        }
    }

    private static String text(JsonNode c, String name) {
        return c.hasNonNull(name) ? c.get(name).asText() : null;
    }

    private static Path path(Path given, JsonNode c, String name) {
        return given != null ? given : c.hasNonNull(name) ? Path.of(c.get(name).asText()) : null;
    }

    private static void require(Object value, String option) {
        if (value == null) {
            throw new IllegalArgumentException("missing " + option + " (on the command line or in --config)");
        }
    }

    private static byte[] readTokenKey(Path file) throws java.io.IOException {
        byte[] key = Files.readAllBytes(file);
        if (key.length != 32) {
            throw new IllegalArgumentException(file + " holds " + key.length + " bytes; a token key is 32 random bytes "
                    + "(head -c 32 /dev/urandom > " + file + ")");
        }
        return key;
    }

    /** "8h", "30m", "45s", "2d", or an ISO-8601 duration ("PT8H"). */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 8h, 30m, 90s or 2d");
        }
    }
}
