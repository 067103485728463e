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
import org.tpmauth.vpn.wireguard.SealedWireGuardKey;
import org.tpmauth.vpn.wireguard.WireGuardKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth wireguard seal}: a WireGuard key that only this TPM, in this state, releases. */
@Command(name = "seal", mixinStandardHelpOptions = true,
        description = {"Generate a WireGuard (Curve25519) private key, or take one with --in, seal it in the TPM and "
            + "write it as a TSS2 sealed-data key file. Prints the public key (for the peers' configuration). The "
            + "key is never written anywhere in the clear; `tpmauth wireguard up` releases it into the interface."})
final class WireguardSealCommand implements Callable<Integer> {
    @Option(names = {"--out", "-o"}, required = true, paramLabel = "wg.sealed", description = "File to write.")
    Path out;

    @Mixin
    SealPolicyOptions policy;

    @Option(names = "--in", paramLabel = "existing.key",
            description = "Seal this key (as `wg genkey` writes it) instead of a new one. Delete the file afterwards.")
    Path in;

    @Option(names = "--force", description = "Overwrite an existing file.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; remove it or add --force");
        }
        List<TpmsPcrSelection> pcrs = policy.pcrs();
        WireGuardKey key = in == null ? WireGuardKey.generate() : readKey(in);
        byte[] password = policy.password();
        Tss2KeyFile sealed;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            sealed = SealedWireGuardKey.seal(new Sealing(keys), key, password, pcrs, policy.signer());
        } finally {
            key.destroy();
            Arrays.fill(password, (byte) 0);
        }
        sealed.writePem(out);
        spec.commandLine().getErr().println("sealed WireGuard key written to " + out + policy.describe()
                + "; public key:");
        spec.commandLine().getOut().println(SealedWireGuardKey.publicKey(sealed));
        return 0;
    }

    private static WireGuardKey readKey(Path file) throws Exception {
        byte[] text = Files.readAllBytes(file);
        try {
            return WireGuardKey.fromBase64(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }
}
