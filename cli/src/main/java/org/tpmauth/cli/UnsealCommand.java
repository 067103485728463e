package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth unseal}: releases a secret sealed with {@code tpmauth seal}. */
@Command(name = "unseal", mixinStandardHelpOptions = true,
        description = {"Unseal a secret written by `tpmauth seal` (a TSS2 sealed-data key file): the TPM releases it "
            + "only when its policy holds (the PCRs still have the values it was sealed to) and the password is "
            + "right. The secret goes to --out, else to standard output as is."})
final class UnsealCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, paramLabel = "sealed.pem", description = "The sealed key file.")
    Path in;

    @Mixin
    UnsealOptions unsealing;

    @Option(names = {"--out", "-o"}, paramLabel = "FILE", description = "Write the secret here (mode 600).")
    Path out;

    @Spec
    CommandSpec spec;

    /** Writes an unsealed secret to {@code out} (mode 600), or to standard output when null; then wipes it. */
    static void writeSecret(CommandSpec spec, byte[] secret, Path out) throws IOException {
        try {
            if (out == null) {
                Main main = (Main) spec.root().userObject();
                main.stdout.write(secret);
                main.stdout.flush();
            } else {
                Files.deleteIfExists(out);
                Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(out, secret);
            }
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    @Override
    public Integer call() throws Exception {
        Tss2KeyFile file = unsealing.read(in);
        byte[] password = unsealing.password();
        byte[] secret;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            secret = new Sealing(keys).unseal(file, password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        writeSecret(spec, secret, out);
        return 0;
    }
}
