package org.tpmauth.tls;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.tpmauth.tls.TpmSslContexts.Engine;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * The tpmauth side of {@code bench/tls-handshakes.sh}: new TLS 1.3 mutual-auth handshakes (BC-JSSE, no
 * resumption) per second, one thread, against an {@code openssl s_server -www} that demands and verifies a
 * client certificate. Each handshake counts only when the server answered {@code GET /} with
 * "HTTP/1.0 200", i.e. accepted our certificate and signature.
 *
 * <p>Arguments: {@code tpm TCTI KEYFILE CERT CA PORT SECONDS} (a TSS2 key file in the TPM behind TCTI) or
 * {@code software KEY CERT CA PORT SECONDS} (a PKCS#8 PEM key, the same code path with the JDK's PKIX
 * key manager). Prints {@code name handshakes_per_s}.
 */
public final class TlsHandshakeBench {
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private TlsHandshakeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 7 && args[0].equals("tpm")) {
            try (Tpm tpm = Tpm.open(args[1]); TpmKeys keys = new TpmKeys(tpm)) {
                KeyManager km = TpmKeyManager.fromFiles(keys, Path.of(args[2]), Path.of(args[3]), null);
                report("tpmauth_tpm_key", km, args, 4);
            }
        } else if (args.length == 6 && args[0].equals("software")) {
            report("tpmauth_software_key", softwareKeyManager(Path.of(args[1]), Path.of(args[2])), args, 3);
        } else {
            System.err.println("usage: TlsHandshakeBench tpm TCTI KEYFILE CERT CA PORT SECONDS"
                    + " | software KEY CERT CA PORT SECONDS");
            System.exit(2);
        }
    }

    /** Reads CA, PORT, SECONDS from {@code args[from..]}, measures and prints one line. */
    private static void report(String name, KeyManager km, String[] args, int from) throws Exception {
        SSLContext client = TpmSslContexts.create(Engine.BC_JSSE, km, Path.of(args[from]));
        int port = Integer.parseInt(args[from + 1]);
        long nanos = (long) (Double.parseDouble(args[from + 2]) * 1e9);
        for (int i = 0; i < 20; i++) { // warm-up: JIT, class loading, the TPM key's first load
            handshake(client, port);
        }
        long start = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - start < nanos) {
            handshake(client, port);
            n++;
        }
        System.out.printf("%s %.1f%n", name, n / ((System.nanoTime() - start) / 1e9));
    }

    private static void handshake(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.setTcpNoDelay(true);
            s.getOutputStream().write(REQUEST);
            s.getOutputStream().flush();
            ByteArrayOutputStream page = new ByteArrayOutputStream();
            try (InputStream in = s.getInputStream()) {
                in.transferTo(page);
            }
            if (!page.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.0 200")) {
                throw new IllegalStateException("the server did not accept the handshake: " + page);
            }
        }
    }

    private static KeyManager softwareKeyManager(Path keyPem, Path certPem) throws Exception {
        PrivateKey key;
        try (Reader r = Files.newBufferedReader(keyPem); PEMParser parser = new PEMParser(r)) {
            key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
        List<X509Certificate> chain = Certificates.read(certPem);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", key, new char[0], chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", new BouncyCastleJsseProvider());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers()[0];
    }
}
