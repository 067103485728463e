package org.tpmauth.tss.fapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * A FAPI configuration of its own for a test class's swtpm: user, system and log directories in the
 * swtpm work directory, the shipped profiles, TCTI swtpm:, no EK certificate. Runs the tss2_* tools
 * with TSS2_FAPICONF pointing at it.
 */
final class FapiFixture {
    final SwtpmExtension swtpm;
    final Path configFile;
    final FapiConfig config;

    FapiFixture(SwtpmExtension swtpm, String profile) {
        this(swtpm, profile, Path.of("/etc/tpm2-tss/fapi-profiles"), "fapi-" + profile);
    }

    /** A fixture of its own ({@code name}: its directory) with the profiles of {@code profileDir}. */
    FapiFixture(SwtpmExtension swtpm, String profile, Path profileDir, String name) {
        this.swtpm = swtpm;
        Path root = swtpm.workDir().resolve(name);
        try {
            Files.createDirectories(root.resolve("log"));
            configFile = root.resolve("fapi-config.json");
            Files.writeString(configFile, """
                    {
                      "profile_name": "%s",
                      "profile_dir": "%s/",
                      "user_dir": "%s",
                      "system_dir": "%s",
                      "tcti": "%s",
                      "system_pcrs": [],
                      "log_dir": "%s",
                      "ek_cert_less": "yes"
                    }
                    """.formatted(profile, profileDir, root.resolve("user"), root.resolve("system"), swtpm.tcti(),
                    root.resolve("log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = FapiConfig.fromEnvironment(Map.of(FapiConfig.ENV, configFile.toString()));
    }

    /** A fixture whose keystore tss2_provision has provisioned. */
    static FapiFixture provisioned(SwtpmExtension swtpm, String profile) {
        FapiFixture fapi = new FapiFixture(swtpm, profile);
        fapi.tss2("tss2_provision");
        return fapi;
    }

    static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A keystore on the class's shared Tpm. */
    FapiKeystore keystore() {
        return new FapiKeystore(config, swtpm.tpm());
    }

    /** Runs a tss2_* tool on this configuration (releasing the Java side's connection first). */
    String tss2(String... command) {
        return Tools.run(swtpm, Map.of(FapiConfig.ENV, configFile.toString()), command);
    }

    Path file(String name) {
        return swtpm.workDir().resolve(name);
    }

    /** tss2_import of the policy file {@code name} of the test resources, at /policy/NAME. */
    void importPolicy(String name) throws IOException {
        Files.write(file(name + ".json"), FapiPolicyTest.policyFile(name));
        tss2("tss2_import", "--path", "/policy/" + name, "--importData", name + ".json");
    }

    /**
     * tss2_sign of a digest with the key at {@code path}, {@code terminal} being what its user types
     * (branch numbers, passwords, printf escapes); asserts that the signature verifies.
     */
    void assertTss2Signs(String path, String terminal) throws Exception {
        Files.write(file("fapi.digest"), FapiInteropTest.sha256("fapi"));
        tss2("sh", "-c", "printf '" + terminal + "' | tss2_sign --keyPath " + path
                + " --digest fapi.digest --signature fapi.sig --force");
        try (FapiKeystore ks = keystore()) {
            if (!FapiInteropTest.verifies(ks.publicKey(path), "SHA256withECDSA", Files.readAllBytes(file("fapi.sig")),
                    "fapi")) {
                throw new AssertionError("tss2_sign's signature with " + path + " does not verify");
            }
        }
    }
}
