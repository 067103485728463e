package org.tpmauth.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.PolicySigner;
import org.tpmauth.tss.keys.TpmAuthPolicy;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.TpmPolicy;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.policy.PcrPolicy;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmsPcrSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth policy sign}: the owner approves a PCR policy for keys and sealed data under --authorized-by. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign a PCR policy (TPM2_PolicyPCR over the given PCRs and values) for keys and sealed data "
            + "created with --authorized-by SIGNER-PUB: they work wherever the PCRs hold those values. After a "
            + "firmware or kernel update, sign the new values instead of re-creating keys.",
            "The signer is a software private key in PEM (keep it offline) or a TPM key file. The values come from "
            + "--values (tpm2_pcrread's text or its -o binary), else from this TPM's current PCRs.",
            "The output is a signed-policy PEM (TPMAUTH SIGNED POLICY): give it to `tpmauth unseal` / `tpmauth key "
            + "sign` with --policy-signature, or add it to key files with --add-to."})
final class PolicySignCommand implements Callable<Integer> {
    @Option(names = "--signer", required = true, paramLabel = "signer.pem",
            description = "The policy signing key: an RSA or EC private key PEM, or a TSS2 key file (a TPM key).")
    Path signer;

    @Option(names = "--signer-password-file", paramLabel = "F", description = "The TPM signer key's password.")
    Path signerPasswordFile;

    @Option(names = "--pcrs", required = true, paramLabel = "SEL", description = "The PCRs, e.g. sha256:0,7.")
    String pcrs;

    @Option(names = "--values", paramLabel = "FILE",
            description = "Their values: tpm2_pcrread / tpmauth pcr read output, or tpm2_pcrread -o binary. "
                + "Default: this TPM's current values.")
    Path values;

    @Option(names = "--name", paramLabel = "NAME", description = "A name for people, e.g. \"firmware 1.7\".")
    String name;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "policy.sig", description = "File to write.")
    Path out;

    @Option(names = "--add-to", paramLabel = "KEYFILE",
            description = "Also put the signed policy first in these key or sealed files' authPolicy field, where "
                + "programs that read only the key file (the TPM2 JCA provider, openssl_tpm2_engine) find it.")
    List<Path> addTo = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<TpmsPcrSelection> selection = PcrSelectionSpec.parse(pcrs);
        TpmAuthPolicy signed;
        if (isTpmKeyFile(signer)) {
            try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
                signed = PolicySigner.tpm(keys, KeyRef.load(keys, signer.toString(), signerPasswordFile))
                        .sign(approved(tpm, selection), name);
            }
        } else {
            KeyPair pair = PemKeys.readKeyPair(signer);
            PolicySigner software = PolicySigner.software(pair.getPrivate(), pair.getPublic());
            if (values != null) {
                signed = software.sign(approved(null, selection), name);
            } else {
                try (Tpm tpm = TpmOptions.open(spec)) {
                    signed = software.sign(approved(tpm, selection), name);
                }
            }
        }
        Files.writeString(out, signed.toPem(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        for (Path file : addTo) {
            Tss2KeyFile.read(file).withSignedPolicy(signed).writePem(file);
        }
        spec.commandLine().getOut().println("wrote " + signed + " to " + out
                + (addTo.isEmpty() ? "" : " and added it to " + addTo));
        return 0;
    }

    /** TPM2_PolicyPCR on the selection, at the values of --values or else of {@code tpm}. */
    private List<TpmPolicy> approved(Tpm tpm, List<TpmsPcrSelection> selection) throws Exception {
        byte[] pcrDigest = values != null
                ? PolicyDigest.pcrValuesDigest(PolicySigner.HASH, PcrValuesFile.read(values, selection))
                : PcrPolicy.currentValuesDigest(tpm, PolicySigner.HASH, selection);
        return List.of(TpmPolicy.pcr(selection, pcrDigest));
    }

    private static boolean isTpmKeyFile(Path file) throws Exception {
        return Files.readString(file, StandardCharsets.ISO_8859_1)
                .contains("-----BEGIN " + Tss2KeyFile.PEM_LABEL + "-----");
    }
}
