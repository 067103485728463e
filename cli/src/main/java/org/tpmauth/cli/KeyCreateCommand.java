package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyScheme;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmHandles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth key create}: a new key inside the TPM, saved as a TSS2 key file. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a signing key inside the TPM and write it as a TSS2 PRIVATE KEY file, which "
            + "tpm2-openssl, openconnect and tpm2-tss-engine read too. The private part is wrapped by the TPM "
            + "and useless on any other machine."})
final class KeyCreateCommand implements Callable<Integer> {
    @Option(names = "--type", defaultValue = "ec-p256", paramLabel = "TYPE",
            description = "ec-p256 | ec-p384 | rsa-2048 | rsa-3072 (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--scheme", paramLabel = "SCHEME",
            description = "Fix the signing scheme in the key's public area: ecdsa-sha256 | ecdsa-sha384 | rsassa-sha256 | "
                + "rsapss-sha256 (and -sha384, -sha512). The key then signs with that scheme and hash only and is "
                + "sign-only, as strongSwan's tpm plugin needs; default: none, each signature picks its own.")
    String scheme;

    @Option(names = "--password-file", paramLabel = "F",
            description = "Protect the key with the password in F (one trailing newline is ignored).")
    Path passwordFile;

    @Option(names = "--parent", defaultValue = "0x40000001", paramLabel = "HANDLE",
            description = "0x40000001 (the standard storage primary, default) or a persistent storage key 0x81xxxxxx.")
    String parent;

    @Option(names = "--pcr-policy", paramLabel = "SEL",
            description = "Usable only while these PCRs hold their current values, e.g. sha256:0,2,4,7 (the key "
                + "file's policy says so; tpm2-openssl-style readers run it).")
    String pcrPolicy;

    @Option(names = "--authorized-by", paramLabel = "signer-pub.pem",
            description = "Usable only under a PCR policy this public key signed (tpmauth policy sign), so that "
                + "after a firmware update the owner signs a new policy instead of replacing the key.")
    Path authorizedBy;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "key.pem", description = "Key file to write.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing key file.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KeyAlgorithm algorithm = KeyAlgorithm.parse(type);
        KeyScheme fixed = scheme == null ? null : KeyScheme.parse(scheme);
        if (fixed != null) {
            fixed.requireFits(algorithm);
        }
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; remove it or add --force");
        }
        byte[] password = KeyRef.readPassword(passwordFile);
        Tss2KeyFile file;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            file = keys.create(algorithm, fixed, password, TpmHandles.parse(parent),
                    pcrPolicy == null ? List.of() : PcrSelectionSpec.parse(pcrPolicy),
                    authorizedBy == null ? null : PemKeys.readPublicKey(authorizedBy));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        file.writePem(out);
        spec.commandLine().getOut().println("created " + algorithm + " key " + out
                + (fixed == null ? "" : " (scheme " + fixed + ")")
                + (passwordFile == null ? "" : " (password protected)")
                + (file.policy().isEmpty() ? "" : " (policy " + file.policy() + ")"));
        return 0;
    }
}
