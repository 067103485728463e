package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmsPcrSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth seal}: seals a small secret to this TPM, written as a TSS2 key file (sealed data). */
@Command(name = "seal", mixinStandardHelpOptions = true,
        description = {"Seal a secret (up to 128 bytes) to this TPM, bound to a password, to the current values of "
            + "some PCRs, or both, and write it as a TSS2 PRIVATE KEY file of type sealed data (OID 2.23.133.10.1.5, "
            + "with the PolicyPCR in its policy field). Only this TPM can unseal it, with `tpmauth unseal`."})
final class SealCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, paramLabel = "FILE", description = "The secret to seal.")
    Path in;

    @Mixin
    SealPolicyOptions policy;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "sealed.pem", description = "File to write.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; remove it or add --force");
        }
        byte[] secret = Files.readAllBytes(in);
        byte[] password = policy.password();
        List<TpmsPcrSelection> pcrs = policy.pcrs();
        Tss2KeyFile file;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            file = new Sealing(keys).seal(secret, password, pcrs, policy.signer());
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(password, (byte) 0);
        }
        file.writePem(out);
        spec.commandLine().getOut().println("sealed " + in + " to " + out + policy.describe());
        return 0;
    }
}
