package org.tpmauth.tss.fapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyAuthorization;

/**
 * The keystore's policies, as FAPI keeps them: {@code /policy/name} is the file
 * {@code <dir>/policy/name.json}, in the user or the system directory ({@code tss2_import} writes to
 * the system one). A policy's {@code policyAuthorizations} make it a candidate for the
 * PolicyAuthorize elements of the keys it names.
 */
final class PolicyDirectory {
    private static final String SUFFIX = ".json";
    private final FapiConfig config;

    PolicyDirectory(FapiConfig config) {
        this.config = config;
    }

    private static Path file(Path dir, FapiPath p) {
        return dir.resolve(p.relative() + SUFFIX);
    }

    /** The policy at {@code p}, if any. */
    Optional<JsonPolicy> find(FapiPath p) {
        for (Path dir : List.of(config.userDir(), config.systemDir())) {
            Path f = file(dir, p);
            if (Files.isRegularFile(f)) {
                return Optional.of(JsonPolicy.of(JsonFields.of(f.toString(), FapiJson.readObject(f))));
            }
        }
        return Optional.empty();
    }

    /** Writes the policy at {@code p} where it is now, else in the system directory, as tss2_import does. */
    void write(FapiPath p, JsonPolicy policy) {
        Path user = file(config.userDir(), p);
        FapiJson.write(Files.isRegularFile(user) ? user : file(config.systemDir(), p), policy.json());
    }

    /** Deletes the policy at {@code p}; whether there was one. */
    boolean delete(FapiPath p) {
        boolean found = false;
        for (Path dir : List.of(config.userDir(), config.systemDir())) {
            try {
                found |= Files.deleteIfExists(file(dir, p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + file(dir, p) + ": " + e.getMessage(), e);
            }
        }
        return found;
    }

    /**
     * The policies signed by the key named {@code keyName} for {@code policyRef}, each with its
     * signature; files that do not parse are skipped (they authorize nothing).
     */
    List<PolicyAuthorization.Approved> approvedBy(byte[] keyName, byte[] policyRef) {
        List<PolicyAuthorization.Approved> out = new ArrayList<>();
        for (Path dir : List.of(config.userDir(), config.systemDir())) {
            Path root = dir.resolve(FapiPath.POLICY);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root, 8)) {
                for (Path f : files.filter(f -> f.toString().endsWith(SUFFIX)).sorted().toList()) {
                    JsonPolicy policy;
                    try {
                        policy = JsonPolicy.of(JsonFields.of(f.toString(), FapiJson.readObject(f)));
                    } catch (FapiFormatException | IllegalArgumentException malformed) {
                        continue;
                    }
                    String name = "/" + dir.relativize(f).toString().replaceFirst("\\.json$", "");
                    for (PolicyAuthorization a : policy.authorizations()) {
                        if (Arrays.equals(a.key().name(), keyName) && Arrays.equals(a.policyRef(), policyRef)) {
                            out.add(new PolicyAuthorization.Approved(name, policy, a));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
