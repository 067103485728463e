package org.tpmauth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.vpn.openconnect.OpenConnect;
import org.tpmauth.vpn.openconnect.OpenConnectTpm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth openconnect}: runs openconnect with a TPM key file, on the TPM that --tcti names. */
@Command(name = "openconnect", mixinStandardHelpOptions = true,
        description = {"Run openconnect with a TPM key file (as `tpmauth key create` writes it) and its certificate. "
            + "openconnect reads TSS2 key files itself but has no option to choose the TPM; this command makes the "
            + "--tcti TPM the one it finds: a TPM device as is, swtpm or mssim through tpm2-abrmd on a private "
            + "D-Bus (nothing system-wide). The key is checked against the certificate first. Options after `--` "
            + "go to openconnect; its exit code is returned."},
        footer = {"", "Example:",
            "  tpmauth openconnect --key vpn.key.pem --cert vpn.crt.pem https://vpn.example.com/ -- "
                + "--protocol=anyconnect --cafile ca.pem",
            "  tpmauth openconnect --key keystore:/HS/SRK/vpn --cert vpn.crt.pem https://vpn.example.com/"})
final class OpenConnectCommand implements Callable<Integer> {
    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "TSS2 PRIVATE KEY file, or keystore:PATH (a FAPI keystore key directly below a persistent "
                + "SRK, handed to openconnect as a key file).")
    String key;

    @Option(names = "--password-file", paramLabel = "F",
            description = "The key's password, to check it against the certificate (openconnect asks for it itself).")
    Path passwordFile;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "The key's certificate (chain).")
    Path cert;

    @Parameters(index = "0", paramLabel = "URL", description = "The VPN server, e.g. https://vpn.example.com/")
    String url;

    @Parameters(index = "1..*", paramLabel = "OPENCONNECT-OPTION", description = "More openconnect options (after --).")
    List<String> options = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (key.toLowerCase().startsWith("0x81")) {
            throw new IllegalArgumentException("openconnect takes a TSS2 key file, not a persistent handle");
        }
        Main main = (Main) spec.root().userObject();
        TctiConfig tcti = TctiConfig.resolve(main.tcti);
        OpenConnectTpm.requireReachable(tcti);
        // a keystore key that no key file can hold is refused here, before anything starts
        Tss2KeyFile keystoreKey = key.startsWith(KeyRef.KEYSTORE) ? KeyRef.readFile(key, keystore.fapi) : null;
        checkKey(tcti);
        Path runDir = Files.createTempDirectory("tpmauth-openconnect");
        try (OpenConnectTpm tpm = OpenConnectTpm.forTcti(tcti, runDir)) {
            List<String> args = new ArrayList<>(options);
            Path keyFile = Path.of(key);
            if (keystoreKey != null) {
                keyFile = runDir.resolve("key.pem");
                keystoreKey.writePem(keyFile);
                // FAPI's SRK has no noDA, and openconnect then asks for its password, which is empty
                args.add(0, "--form-entry=openconnect_tpm2_parent:openconnect_tpm2_parent=");
            }
            Process openconnect = OpenConnect.command(keyFile, cert, url, args, tpm)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            // on SIGTERM the JVM ends without leaving this block: stop openconnect and the broker from the hook
            Thread stopper = new Thread(() -> {
                openconnect.destroy();
                tpm.close();
            }, "tpmauth-openconnect-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            Thread errors = pump(openconnect.getErrorStream(), spec.commandLine().getErr());
            pump(openconnect.getInputStream(), spec.commandLine().getOut()).join();
            errors.join();
            int code = openconnect.waitFor();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook stops openconnect
            }
            return code;
        } finally {
            try (Stream<Path> files = Files.walk(runDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Loads the key with tpmauth's own stack and compares it with the certificate: clear errors before openconnect. */
    private void checkKey(TctiConfig tcti) throws IOException {
        var chain = Certificates.read(cert);
        try (Tpm tpm = new Tpm(tcti.open(), true); TpmKeys keys = new TpmKeys(tpm)) {
            Certificates.requireMatch(key, KeyRef.load(keys, key, passwordFile, List.of(), keystore).publicKey(),
                    chain.get(0));
        }
    }

    private static Thread pump(InputStream in, PrintWriter out) {
        Thread t = new Thread(() -> {
            try {
                byte[] buffer = new byte[4096];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.print(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // openconnect ended
            }
        }, "openconnect-output");
        t.start();
        return t;
    }
}
