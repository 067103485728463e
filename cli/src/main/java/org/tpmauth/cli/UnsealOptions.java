package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tpmauth.tss.keys.Tss2KeyFile;
import picocli.CommandLine.Option;

/** What opens sealed data: {@code --password-file} and signed policies ({@code --policy-signature}). */
final class UnsealOptions {
    @Option(names = "--password-file", paramLabel = "F",
            description = "The password it was sealed with (one trailing newline is ignored).")
    Path passwordFile;

    @Option(names = "--policy-signature", paramLabel = "policy.sig",
            description = "For data sealed with --authorized-by: a signed PCR policy (tpmauth policy sign), tried "
                + "before those stored in the file; may be repeated.")
    List<Path> policySignatures = new ArrayList<>();

    /** The sealed file with the given signed policies put first. */
    Tss2KeyFile read(Path sealed) throws Exception {
        return KeyRef.withSignedPolicies(Tss2KeyFile.read(sealed), policySignatures);
    }

    /** The password (empty without --password-file); the caller wipes it. */
    byte[] password() throws IOException {
        return KeyRef.readPassword(passwordFile);
    }
}
