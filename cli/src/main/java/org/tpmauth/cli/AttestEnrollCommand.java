package org.tpmauth.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.attest.service.Pem;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest enroll}: first contact with the attestation service. */
@Command(name = "enroll", mixinStandardHelpOptions = true,
        description = {"Enroll this machine with the attestation service: send the EK certificate, the AK and the "
            + "key's evidence (TPM2_Certify by the AK, a quote, the boot log), recover the service's credential with "
            + "TPM2_ActivateCredential, and write the machine certificate to --out, the AK certificate to "
            + "<out>-ak-cert.pem and the CA certificate to <out>-ca.pem. Without --ak, an AK is created in <out>-ak.pem "
            + "(kept for renewals). A refusal prints the service's verdict and exits 1."})
final class AttestEnrollCommand implements Callable<Integer> {
    @Mixin
    AttestClientOptions options;

    @Option(names = "--out", required = true, paramLabel = "cert.pem", description = "Where to write the machine certificate.")
    Path out;

    @Option(names = "--ak", paramLabel = "ak.pem", description = "The AK key file (created there when missing).")
    Path ak;

    @Option(names = "--group", defaultValue = "default", paramLabel = "NAME", description = "Device group (default: ${DEFAULT-VALUE}).")
    String group;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path akFile = ak != null ? ak : AttestClientOptions.sibling(out, "-ak.pem");
        byte[] log = options.eventLog();
        Enroller.Result result;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            if (!Files.exists(akFile)) {
                AttestationKeys.create(tpm, KeyAlgorithm.EC_P256).writePem(akFile);
            }
            TpmKey akKey = KeyRef.load(keys, akFile.toString(), null);
            TpmKey key = KeyRef.load(keys, options.key, null, List.of(), options.keystore);
            try {
                result = new Enroller(options.client()).enroll(tpm, Enroller.ekCertificate(tpm), key, akKey, group,
                        options.selection(), log);
            } catch (ServiceRefusal r) {
                spec.commandLine().getErr().println(r.getMessage());
                return 1;
            }
        }
        AttestClientOptions.replaceAtomically(AttestClientOptions.sibling(out, "-ak-cert.pem"), Pem.encode(result.akCertificate()));
        AttestClientOptions.replaceAtomically(AttestClientOptions.sibling(out, "-ca.pem"), Pem.encode(result.caCertificate()));
        AttestClientOptions.replaceAtomically(out, Pem.encode(result.certificate()));
        PrintWriter w = spec.commandLine().getOut();
        w.println("enrolled as " + result.device() + "; certificate valid until " + result.certificate().getNotAfter()
                .toInstant() + " written to " + out);
        return 0;
    }
}
