package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tpmauth.tss.fapi.FapiKeystore;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.fapi.policy.PolicyBranchCallback;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a FAPI keystore key (keystore:PATH, or a keystore command's PATH) is (--fapi-config) and what
 * using it may need besides the key's own password, as FAPI asks its callbacks: the PolicyOR branch to take, and the auth values of
 * other keystore objects (parent keys, a hierarchy for PolicySecret, NV indices).
 */
final class KeystoreKeyOptions {
    @Mixin
    KeystoreOptions fapi = new KeystoreOptions();

    @Option(names = "--policy-branch", paramLabel = "NAME",
            description = "The PolicyOR branch to take, by its name (once per PolicyOR the key's policy nests); "
                + "without it the one branch that holds is taken.")
    List<String> policyBranches = new ArrayList<>();

    @Option(names = "--auth-file", paramLabel = "PATH=F",
            description = "The auth value of another keystore object in file F (one trailing newline ignored): a "
                + "parent key, a hierarchy for PolicySecret (e.g. /HS=owner.pw), an NV index. Repeatable.")
    Map<String, Path> authFiles = new LinkedHashMap<>();

    /** The keystore of the FAPI configuration (--fapi-config, else TSS2_FAPICONF), loading keys into {@code keys}. */
    FapiKeystore open(TpmKeys keys) {
        return applyTo(new FapiKeystore(fapi.config(), keys));
    }

    /** Gives {@code keystore} the branch choice and the auth values, as FAPI's branch and auth callbacks. */
    FapiKeystore applyTo(FapiKeystore keystore) {
        keystore.setBranchCallback(PolicyBranchCallback.byName(policyBranches));
        Map<String, Path> byPath = new LinkedHashMap<>();
        authFiles.forEach((path, file) -> byPath.put(keystore.path(path).toString(), file));
        keystore.setAuthCallback((path, description) -> {
            Path file = byPath.get(keystore.path(path).toString());
            if (file == null) {
                return new byte[0];
            }
            try {
                return KeyRef.readPassword(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the auth value of " + path + " from " + file + ": "
                        + e.getMessage(), e);
            }
        });
        return keystore;
    }
}
