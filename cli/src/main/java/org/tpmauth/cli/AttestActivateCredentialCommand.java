package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.credential.CredentialActivation;
import org.tpmauth.attestation.credential.CredentialFile;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.wire.TpmFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest activatecredential}: the machine's side of AK enrollment. */
@Command(name = "activatecredential", mixinStandardHelpOptions = true,
        description = {"Recover the secret in a credential file (from tpmauth attest makecredential or "
            + "tpm2_makecredential) with TPM2_ActivateCredential: proves to the verifier that the AK lives in the "
            + "TPM that holds the EK."})
final class AttestActivateCredentialCommand implements Callable<Integer> {
    @Option(names = "--ak", required = true, paramLabel = "ak.pem",
            description = "The AK: a TSS2 key file or a persistent handle (0x81...).")
    String ak;

    @Option(names = "--ek", paramLabel = "TYPE", defaultValue = "rsa", description = "EK template: rsa (default), ecc "
            + "or ecc384.")
    String ek;

    @Option(names = "--in", required = true, paramLabel = "cred.bin", description = "The credential file.")
    Path in;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "secret.bin", description = "Where the secret goes.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CredentialFile cred;
        try {
            cred = CredentialFile.fromBytes(Files.readAllBytes(in));
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException(in + ": " + e.getMessage(), e);
        }
        byte[] secret;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm);
             EndorsementKey endorsement = EndorsementKey.create(tpm, EkTemplate.parse(ek))) {
            TpmKey key = KeyRef.load(keys, ak, null);
            secret = CredentialActivation.activate(tpm, key, endorsement, cred);
        }
        try {
            Files.deleteIfExists(out);
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(out, secret, StandardOpenOption.TRUNCATE_EXISTING);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        spec.commandLine().getOut().println("credential activated; secret written to " + out);
        return 0;
    }
}
