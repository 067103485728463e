package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.demo.CoreDemo;
import org.tpmauth.tss.Tpm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth demo}: the story, on the embedded TPM unless --tcti names another. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show what tpmauth does, step by step, on an in-process TPM (libtpms): a machine key born "
            + "in the TPM, a CSR signed inside it, a certificate from a throwaway CA, a signature checked against "
            + "that certificate, and the PCRs. Needs no root and no daemons."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the embedded TPM's state in DIR (default: a fresh temporary directory).")
    Path state;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the key, CSR and certificates here "
            + "(default: a temporary directory).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Main main = (Main) spec.root().userObject();
        Path outDir = out != null ? out : Files.createTempDirectory("tpmauth-demo-");
        String tcti = main.tcti;
        if (tcti == null) {
            Path dir = state != null ? state : Files.createTempDirectory("tpmauth-demo-tpm-");
            tcti = "libtpms:" + dir;
        } else if (state != null) {
            throw new IllegalArgumentException("--state is for the embedded TPM; it cannot be combined with --tcti");
        }
        main.stdout.println("tpmauth demo: TPM 2.0 machine identity, step by step (TPM: " + tcti + ")");
        List<CoreDemo.Step> steps;
        try (Tpm tpm = Tpm.open(tcti)) {
            steps = new CoreDemo(tpm, outDir, main.stdout).run();
        }
        return steps.stream().allMatch(CoreDemo.Step::passed) ? 0 : 1;
    }
}
