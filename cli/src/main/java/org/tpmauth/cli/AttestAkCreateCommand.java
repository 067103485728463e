package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest ak create}: a new AK as a TSS2 key file; prints its Name. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create an attestation key (restricted signing key, attributes 0x00050072 as tpm2_createak "
            + "makes them) under the owner's storage primary, write it as a TSS2 PRIVATE KEY file and print its "
            + "Name (hex) on stdout: the verifier makes a credential for that Name."})
final class AttestAkCreateCommand implements Callable<Integer> {
    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "ec-p256 or rsa-2048.")
    String type;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "ak.pem", description = "Key file to write.")
    Path out;

    @Option(names = "--public-out", paramLabel = "ak.pub.pem", description = "Also write the public key (PEM).")
    Path publicOut;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KeyAlgorithm algorithm = KeyAlgorithm.parse(type);
        if (algorithm != KeyAlgorithm.EC_P256 && algorithm != KeyAlgorithm.RSA_2048) {
            throw new IllegalArgumentException("an AK is ec-p256 or rsa-2048, not " + type);
        }
        AttestCommand.refuseOverwrite(out, force);
        Tss2KeyFile file;
        try (Tpm tpm = TpmOptions.open(spec)) {
            file = AttestationKeys.create(tpm, algorithm);
        }
        file.writePem(out);
        TpmtPublic publicArea = TpmtPublic.readSized(new TpmReader(file.pubkey()));
        if (publicOut != null) {
            Files.writeString(publicOut, PublicKeys.toPem(publicArea.toPublicKey()));
        }
        spec.commandLine().getOut().println(HexFormat.of().formatHex(publicArea.name()));
        return 0;
    }
}
