package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.credential.CredentialFile;
import org.tpmauth.attestation.credential.CredentialMaker;
import org.tpmauth.attestation.ek.EkTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest makecredential}: the verifier's side of AK enrollment, in software. */
@Command(name = "makecredential", mixinStandardHelpOptions = true,
        description = {"Protect a secret for the AK with the given Name on the TPM with the given EK, without a TPM "
            + "(TPM2_MakeCredential in software). The file has tpm2_makecredential's layout, so "
            + "tpm2_activatecredential reads it too. Only that TPM, with that AK loaded, recovers the secret."})
final class AttestMakeCredentialCommand implements Callable<Integer> {
    @Option(names = "--ek-pub", required = true, paramLabel = "ek.pem",
            description = "The EK's public key or certificate (PEM); RSA-2048, P-256 or P-384 select the template.")
    Path ekPub;

    @Option(names = "--ak-name", required = true, paramLabel = "HEX", description = "The AK's Name, e.g. 000b...")
    String akName;

    @Option(names = "--secret", required = true, paramLabel = "FILE", description = "The secret, at most 32 bytes.")
    Path secret;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "cred.bin", description = "Credential file to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PublicKey ek = AttestCommand.readPublicKey(ekPub);
        CredentialFile cred = CredentialMaker.make(ek, EkTemplate.forPublicKey(ek), AttestCommand.hex(akName,
                "--ak-name"), Files.readAllBytes(secret));
        Files.write(out, cred.toBytes());
        spec.commandLine().getOut().println("credential for AK " + akName.toLowerCase() + " written to " + out);
        return 0;
    }
}
