package org.tpmauth.cli;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth random N}: random bytes from the TPM's generator, as hex. */
@Command(name = "random", mixinStandardHelpOptions = true,
        description = "Print N random bytes from the TPM's random number generator, in hex.")
final class RandomCommand implements Runnable {
    /** TPM2_GetRandom returns at most one digest per call; larger requests loop. */
    private static final int MAX_BYTES = 1 << 20;

    @Parameters(paramLabel = "N", description = "Number of bytes (1-1048576).")
    int count;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (count < 1 || count > MAX_BYTES) {
            throw new IllegalArgumentException("N must be between 1 and " + MAX_BYTES + ", got " + count);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(count);
        try (Tpm tpm = TpmOptions.open(spec)) {
            while (out.size() < count) {
                byte[] chunk = tpm.execute(new GetRandom(Math.min(32, count - out.size()))).randomBytes();
                if (chunk.length == 0) {
                    throw new IllegalStateException("the TPM returned no random bytes");
                }
                out.write(chunk, 0, chunk.length);
            }
        }
        spec.commandLine().getOut().println(HexFormat.of().formatHex(out.toByteArray()));
    }
}
