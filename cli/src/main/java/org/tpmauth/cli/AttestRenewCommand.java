package org.tpmauth.cli;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.attest.client.Renewer;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.attest.service.Pem;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest renew}: EST re-enrollment with fresh evidence. */
@Command(name = "renew", mixinStandardHelpOptions = true,
        description = {"Renew the machine certificate over EST (simplereenroll) once two thirds of its lifetime are "
            + "gone (or now, with --force): TLS with the current certificate and its TPM key, and a CSR carrying "
            + "fresh evidence whose nonce comes from that connection. The new certificate replaces --cert atomically "
            + "(the old one stays until the new one is in place). A refusal prints the service's verdict (which rule "
            + "broke, and which event) and exits 1."})
final class AttestRenewCommand implements Callable<Integer> {
    @Mixin
    AttestClientOptions options;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "The current machine certificate.")
    Path cert;

    @Option(names = "--ak", paramLabel = "ak.pem", description = "The AK key file (default <cert>-ak.pem).")
    Path ak;

    @Option(names = "--force", description = "Renew now, however much lifetime is left.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<X509Certificate> current = Certificates.read(cert);
        if (!force && !Renewer.due(current.get(0), Instant.now())) {
            spec.commandLine().getOut().println("not due: " + cert + " is valid until " + current.get(0).getNotAfter()
                    .toInstant() + "; renewal starts when two thirds of its lifetime are gone (or use --force)");
            return 0;
        }
        Path akFile = ak != null ? ak : AttestClientOptions.sibling(cert, "-ak.pem");
        X509Certificate akCert = Certificates.read(AttestClientOptions.sibling(cert, "-ak-cert.pem")).get(0);
        byte[] log = options.eventLog();
        X509Certificate renewed;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            try {
                renewed = new Renewer(options.client()).renew(keys, KeyRef.load(keys, options.key, null, List.of(),
                        options.keystore), current, KeyRef.load(keys, akFile.toString(), null), akCert,
                        options.selection(), log);
            } catch (ServiceRefusal r) {
                spec.commandLine().getErr().println(r.getMessage());
                return 1;
            }
        }
        AttestClientOptions.replaceAtomically(cert, Pem.encode(renewed));
        spec.commandLine().getOut().println("renewed: " + cert + " valid until " + renewed.getNotAfter().toInstant());
        return 0;
    }
}
