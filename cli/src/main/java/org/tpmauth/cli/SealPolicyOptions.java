package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmsPcrSelection;
import picocli.CommandLine.Option;

/** What sealed data is bound to: {@code --pcr-policy}, {@code --authorized-by}, {@code --password-file}. */
final class SealPolicyOptions {
    @Option(names = "--pcr-policy", paramLabel = "SEL",
            description = "Bind to the current values of these PCRs, e.g. sha256:0,7 (tpm2-tools syntax): after a "
                + "PCR changes (another boot loader, firmware, kernel) it cannot be unsealed.")
    String pcrPolicy;

    @Option(names = "--authorized-by", paramLabel = "signer-pub.pem",
            description = "Instead of fixed PCR values: unseal under any PCR policy this public key signed "
                + "(tpmauth policy sign), so that after an update the owner signs the new values.")
    Path authorizedBy;

    @Option(names = "--password-file", paramLabel = "F",
            description = "Also require the password in F (one trailing newline is ignored).")
    Path passwordFile;

    List<TpmsPcrSelection> pcrs() {
        return pcrPolicy == null ? List.of() : PcrSelectionSpec.parse(pcrPolicy);
    }

    /** The policy signer's public key, or null. */
    PublicKey signer() throws IOException, GeneralSecurityException {
        return authorizedBy == null ? null : PemKeys.readPublicKey(authorizedBy);
    }

    /** The password (empty without --password-file); the caller wipes it. */
    byte[] password() throws IOException {
        return KeyRef.readPassword(passwordFile);
    }

    /** " (PCRs ...) (authorized by ...) (password protected)", as far as they apply. */
    String describe() {
        return (pcrPolicy == null ? "" : " (PCRs " + pcrPolicy + ")")
                + (authorizedBy == null ? "" : " (authorized by " + authorizedBy + ")")
                + (passwordFile == null ? "" : " (password protected)");
    }
}
