package org.tpmauth.vpn.strongswan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * A road-warrior client for strongSwan's swanctl: connection {@code tpmauth} to {@code remote} (a
 * gateway that proves {@code remoteId} with a certificate from one of {@code cas}), authenticating as
 * {@code localId} with {@code certificate}, whose private key charon reaches through {@code route}. It asks
 * the gateway for a virtual IP (its address inside the tunnel), as road warriors do.
 */
import org.tpmauth.tls.Certificates;

public record SwanctlClientConfig(X509Certificate certificate, List<X509Certificate> cas, String remote,
        String remoteId, String localId, List<ChildSa> children, KeyRoute route) {
    public static final String CONNECTION = "tpmauth";
    public static final String CHARON_SETTINGS = "strongswan-tpmauth.conf";
    private static final String CERT_FILE = "tpmauth-client.pem";

    public SwanctlClientConfig {
        cas = List.copyOf(cas);
        children = children.isEmpty() ? List.of(ChildSa.DEFAULT) : List.copyOf(children);
        for (String value : new String[] {remote, remoteId, localId}) {
            if (value.isBlank() || value.contains("\"") || value.contains("\n")) {
                throw new IllegalArgumentException("'" + value + "' cannot be written into swanctl.conf (empty, or holds "
                        + "a quote or newline)");
            }
        }
    }

    /** The identity of a certificate's subject DN, in the order strongSwan compares it (as encoded). */
    public static String subjectId(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).toString();
    }

    /** The CKA_ID the tpmauth token gives the certificate's key: SHA-1 of its SubjectPublicKeyInfo. */
    public static byte[] pkcs11Id(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(certificate.getPublicKey().getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String swanctlConf() {
        String childBlocks = children.stream().map(c -> "      " + c.name() + " {\n        remote_ts = "
                + String.join(",", c.remoteTs()) + "\n        start_action = none\n      }\n")
                .collect(Collectors.joining());
        String secret = route.secretLines().lines().map(l -> "    " + l + "\n").collect(Collectors.joining());
        return "# written by tpmauth strongswan config; load with swanctl --load-all, connect with swanctl --initiate "
                + "--child " + children.get(0).name() + "\n"
                + "connections {\n  " + CONNECTION + " {\n    version = 2\n    remote_addrs = " + remote + "\n    vips = 0.0.0.0,::\n"
                + "    local {\n      auth = pubkey\n      certs = " + CERT_FILE + "\n      id = \"" + localId + "\"\n"
                + "    }\n    remote {\n      auth = pubkey\n      id = \"" + remoteId + "\"\n    }\n"
                + "    children {\n" + childBlocks + "    }\n  }\n}\n"
                + "secrets {\n  token-" + CONNECTION + " {\n" + secret + "  }\n}\n";
    }

    /** Writes swanctl.conf, x509/, x509ca/ and strongswan-tpmauth.conf into {@code dir}. */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("x509"));
        Files.createDirectories(dir.resolve("x509ca"));
        Files.writeString(dir.resolve("x509").resolve(CERT_FILE), Certificates.toPem(certificate));
        for (int i = 0; i < cas.size(); i++) {
            Files.writeString(dir.resolve("x509ca").resolve("tpmauth-ca" + (i == 0 ? "" : "-" + i) + ".pem"), Certificates.toPem(cas.get(i)));
        }
        Files.writeString(dir.resolve("swanctl.conf"), swanctlConf());
        Files.writeString(dir.resolve(CHARON_SETTINGS), route.charonSettings());
    }
}
