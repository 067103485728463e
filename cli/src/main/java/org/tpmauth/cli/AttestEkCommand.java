package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EkVerdict;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.PublicKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest ek}: the endorsement key, its certificate from NV and the certificate's chain. */
@Command(name = "ek", mixinStandardHelpOptions = true,
        description = {"Recreate the endorsement key from the TCG EK profile template (RSA-2048 L-1 or ECC P-256 "
            + "L-2), print its Name and public key, read its certificate from NV (0x01c00002 RSA, 0x01c0000a ECC) "
            + "and, with --roots, check the certificate's chain and that it certifies this EK. Exit 1 when the "
            + "check fails."})
final class AttestEkCommand implements Callable<Integer> {
    @Option(names = "--ek", paramLabel = "TYPE", defaultValue = "rsa",
            description = "EK template: rsa (L-1, default), ecc (L-2 P-256) or ecc384 (H-3 P-384, swtpm's ECC EK).")
    String type;

    @Option(names = "--cert-out", paramLabel = "ek.pem", description = "Write the EK certificate (PEM) here.")
    Path certOut;

    @Option(names = "--roots", paramLabel = "DIR",
            description = "Directory of trusted manufacturer root and intermediate certificates (PEM or DER).")
    Path roots;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EkTemplate template = EkTemplate.parse(type);
        var out = spec.commandLine().getOut();
        try (Tpm tpm = TpmOptions.open(spec); EndorsementKey ek = EndorsementKey.create(tpm, template)) {
            out.println("ek: " + template + " (NV index " + String.format("0x%08x", template.certificateIndex()) + ")");
            out.println("name: " + HexFormat.of().formatHex(ek.publicArea().name()));
            out.print(PublicKeys.toPem(ek.publicKey()));
            Optional<X509Certificate> cert = ek.certificate();
            if (cert.isEmpty()) {
                if (certOut != null || roots != null) {
                    throw new IllegalStateException(String.format("the TPM has no EK certificate at NV 0x%08x; ask the "
                            + "manufacturer, or try --ek with another type", template.certificateIndex()));
                }
                out.println("certificate: none in NV");
                return 0;
            }
            X509Certificate c = cert.get();
            out.println("certificate: serial " + c.getSerialNumber().toString(16) + ", issuer "
                    + c.getIssuerX500Principal().getName() + ", valid until " + c.getNotAfter().toInstant());
            if (certOut != null) {
                Files.writeString(certOut, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                        .encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n");
            }
            if (roots == null) {
                return 0;
            }
            EkVerdict verdict = EkCertificateVerifier.fromDirectory(roots).verify(c, ek.publicKey());
            out.println("chain: " + verdict);
            return verdict.valid() ? 0 : 1;
        }
    }
}
