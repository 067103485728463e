package org.tpmauth.vpn.openvpn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmHandles;

/**
 * The PK_SIGN round trip as OpenVPN sees it (the {@code >PK_SIGN} line written to the management socket
 * until the backend's {@code END} is read), on one TPM:
 * <ul>
 * <li>{@code tpmauth_ecdsa_p256}, {@code tpmauth_rsa2048_pss}: the backend, key loaded once;</li>
 * <li>{@code openssl_pkeyutl_ecdsa_p256}: what a backend that runs {@code openssl pkeyutl -provider tpm2}
 *     per request costs (the process alone, without the socket), with the same key file.</li>
 * </ul>
 * Prints {@code name median_ms p90_ms n}. Not a test: {@code bench/openvpn-pksign.sh} starts an swtpm and
 * runs it as {@code PkSignBench TCTI [ITERATIONS]}.
 */
public final class PkSignBench {
    private PkSignBench() {
    }

    public static void main(String[] args) throws Exception {
        String tcti = args[0];
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Files.createTempDirectory("pksign-bench");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("CertificateVerify".getBytes());
        TestPki pki = new TestPki("bench CA");
        Path ecKeyFile = dir.resolve("ec.key.pem");
        try (Tpm tpm = Tpm.open(tcti); TpmKeys keys = new TpmKeys(tpm)) {
            for (KeyAlgorithm algorithm : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048)) {
                Tss2KeyFile file = keys.create(algorithm, new byte[0], TpmHandles.RH_OWNER);
                if (algorithm == KeyAlgorithm.EC_P256) {
                    file.writePem(ecKeyFile);
                }
                TpmPrivateKey key = TpmPrivateKey.of(keys, keys.load(file, new byte[0]));
                String alg = algorithm == KeyAlgorithm.EC_P256 ? "ECDSA"
                        : "RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest";
                try (FakeOpenVpn vpn = new FakeOpenVpn();
                        BackendThread backend = new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", vpn.port()),
                                false, key, List.of(pki.issue(key.publicKey(), "bench")), null)) {
                    vpn.accept();
                    for (int i = 0; i < 20; i++) { // warm-up: JIT, the key's first use
                        vpn.sign(digest, alg);
                    }
                    long[] times = new long[iterations];
                    for (int i = 0; i < iterations; i++) {
                        long start = System.nanoTime();
                        if (vpn.sign(digest, alg).length == 0) {
                            throw new IllegalStateException("the backend refused: " + backend.log());
                        }
                        times[i] = System.nanoTime() - start;
                    }
                    print(algorithm == KeyAlgorithm.EC_P256 ? "tpmauth_ecdsa_p256" : "tpmauth_rsa2048_pss", times);
                }
            }
        }
        // the Java side has let go of the TPM (swtpm serves one connection at a time)
        Path in = Files.write(dir.resolve("digest.bin"), digest);
        int runs = Math.max(10, iterations / 4);
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            pkeyutl(tcti, ecKeyFile, in, dir.resolve("sig.bin"));
            times[i] = System.nanoTime() - start;
        }
        print("openssl_pkeyutl_ecdsa_p256", times);
    }

    private static void pkeyutl(String tcti, Path key, Path in, Path out) throws Exception {
        ProcessBuilder b = new ProcessBuilder("openssl", "pkeyutl", "-sign", "-provider", "tpm2", "-provider", "default",
                "-propquery", "?provider=tpm2", "-inkey", key.toString(), "-in", in.toString(), "-out", out.toString())
                .redirectErrorStream(true);
        b.environment().put("TPM2OPENSSL_TCTI", tcti);
        Process p = b.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl pkeyutl failed: " + output);
        }
    }

    private static void print(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%s %.2f %.2f %d%n", name, sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.9)] / 1e6, sorted.length);
    }
}
