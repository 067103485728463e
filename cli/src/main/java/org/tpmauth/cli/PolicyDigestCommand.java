package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.types.TpmAlg;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth policy digest policy.json [--name-alg sha256]}. */
@Command(name = "digest", mixinStandardHelpOptions = true,
        description = {"Print the policy digest (hex) of a TCG JSON policy, computed in software: the authPolicy an "
            + "object it authorizes gets; equal to what tpm2-tss FAPI records for the same file. Policies that need "
            + "the TPM (currentPCRs, keyPath, objectPath, NV indices) are refused, naming the element."})
final class PolicyDigestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "policy.json", description = "The policy file.")
    Path policy;

    @Option(names = "--name-alg", defaultValue = "sha256", paramLabel = "HASH",
            description = "The name algorithm of the objects it authorizes (default: ${DEFAULT-VALUE}).")
    String nameAlg;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TpmAlg alg = TpmAlg.hashByName(nameAlg);
        JsonPolicy json = JsonPolicy.parse(Files.readAllBytes(policy), policy.toString());
        spec.commandLine().getOut().println(HexFormat.of().formatHex(json.digest(alg, PolicyContext.offline())));
        return 0;
    }
}
