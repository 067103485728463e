package org.tpmauth.tss.fapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The FAPI configuration file (tpm2-tss {@code fapi-config.json}): default profile, profile directory,
 * user and system keystore directories and TCTI. Found as FAPI finds it: the file named by
 * {@value #ENV}, else {@value #DEFAULT_FILE}; so tpmauth and the {@code tss2_*} tools share one keystore.
 *
 * @param profileName the default profile (P_ECCP256SHA256 or P_RSA2048SHA256), used where a path names none
 * @param profileDir  where the profile files {@code <name>.json} are
 * @param userDir     the user keystore: keys this user creates
 * @param systemDir   the system keystore: hierarchies, SRK and EK written by provisioning
 * @param tcti        the TCTI string, empty for FAPI's default
 * @param ekCertLess  whether provisioning goes on without an EK certificate ({@code "ek_cert_less": "yes"})
 */
public record FapiConfig(String profileName, Path profileDir, Path userDir, Path systemDir, String tcti,
        boolean ekCertLess) {

    /** The environment variable naming FAPI's configuration file, as libtss2-fapi reads it. */
    public static final String ENV = "TSS2_FAPICONF";
    public static final String DEFAULT_FILE = "/etc/tpm2-tss/fapi-config.json";

    /** The configuration FAPI would use in this process's environment. */
    public static FapiConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** The configuration named by {@code env}'s {@value #ENV}, else the default file. */
    public static FapiConfig fromEnvironment(Map<String, String> env) {
        String file = env.getOrDefault(ENV, "");
        Path path = Path.of(file.isEmpty() ? DEFAULT_FILE : file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("no FAPI configuration at " + path + ": install tpm2-tss's "
                    + "fapi-config.json, or set " + ENV + " to a configuration file");
        }
        return load(path, env.getOrDefault("HOME", System.getProperty("user.home")));
    }

    /** Reads a configuration file; "~" in directories is {@code home}. */
    public static FapiConfig load(Path file, String home) {
        JsonFields json = JsonFields.of(file.toString(), FapiJson.readObject(file));
        return new FapiConfig(json.text("profile_name"), dir(json, "profile_dir", home), dir(json, "user_dir", home),
                dir(json, "system_dir", home), json.optionalText("tcti").orElse(""),
                json.optionalText("ek_cert_less").map(v -> v.equalsIgnoreCase("yes")).orElse(false));
    }

    private static Path dir(JsonFields json, String field, String home) {
        String value = json.text(field);
        if (value.isEmpty()) {
            throw json.error(field, "is empty; give a directory");
        }
        return Path.of(value.startsWith("~") ? home + value.substring(1) : value);
    }

    /** The profile of this name from the profile directory. */
    public FapiProfile profile(String name) {
        return FapiProfile.load(profileDir.resolve(name + ".json"), name);
    }

    /** The default profile. */
    public FapiProfile profile() {
        return profile(profileName);
    }

    /** A configuration for the given keystore directories and TCTI, with the same profiles. */
    public FapiConfig withDirs(Path user, Path system, String tctiConfig) {
        return new FapiConfig(profileName, profileDir, user, system, tctiConfig, ekCertLess);
    }
}
