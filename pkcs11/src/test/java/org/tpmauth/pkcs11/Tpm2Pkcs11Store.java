package org.tpmauth.pkcs11;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * A tpm2-pkcs11 token (Debian libtpm2-pkcs11-1, tpm2-pkcs11-tools) on the test's swtpm, for comparisons:
 * token {@link #TOKEN} with user PIN {@link #PIN} holding an EC P-256 key {@code ec} and its certificate
 * from the test CA. tpm2_ptool leaves objects loaded between its tpm2-tools calls, more than swtpm has
 * slots for, so the store is made through tpm2-abrmd on a private session bus, stopped again afterwards;
 * the library itself then talks to swtpm directly ({@link #env}).
 */
final class Tpm2Pkcs11Store {
    static final String MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so";
    static final String TOKEN = "t2p";
    static final String PIN = "1234";

    final Path dir;
    private final SwtpmExtension swtpm;

    private Tpm2Pkcs11Store(Path dir, SwtpmExtension swtpm) {
        this.dir = dir;
        this.swtpm = swtpm;
    }

    static boolean installed() {
        return Files.exists(Path.of(MODULE)) && Files.isExecutable(Path.of("/usr/bin/tpm2_ptool"));
    }

    /** Makes the store in {@code dir}: token, key, and a certificate for the key from {@code store}'s CA. */
    static Tpm2Pkcs11Store create(Path dir, SwtpmExtension swtpm, TestKeystore store) throws Exception {
        Files.createDirectories(dir);
        Tpm2Pkcs11Store t2p = new Tpm2Pkcs11Store(dir, swtpm);
        swtpm.disconnect(); // tpm2-abrmd takes swtpm's one connection
        try (LoggedProcess bus = new LoggedProcess(dir, List.of("dbus-daemon", "--session", "--nofork",
                "--print-address", "--address=unix:path=" + dir.resolve("bus")), "unix:path=")) {
            Map<String, String> env = Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("bus"),
                    "TPM2TOOLS_TCTI", "tabrmd:bus_type=session", "TPM2_PKCS11_TCTI", "tabrmd:bus_type=session",
                    "TPM2_PKCS11_STORE", dir.toString());
            try (LoggedProcess abrmd = new LoggedProcess(List.of("env", "DBUS_SESSION_BUS_ADDRESS=" + env.get(
                    "DBUS_SESSION_BUS_ADDRESS"), "tpm2-abrmd", "--session", "--allow-root", "--tcti=" + swtpm.tcti()),
                    dir.resolve("abrmd.log"))) {
                awaitAbrmd(env, abrmd);
                String path = "--path=" + dir;
                Programs.run(dir, env, "tpm2_ptool", "init", path).ok();
                Programs.run(dir, env, "tpm2_ptool", "addtoken", "--pid=1", "--sopin=so" + PIN, "--userpin=" + PIN,
                        "--label=" + TOKEN, path).ok();
                Programs.run(dir, env, "tpm2_ptool", "addkey", "--algorithm=ecc256", "--label=" + TOKEN,
                        "--userpin=" + PIN, "--key-label=ec", path).ok();
                Programs.run(dir, env, "pkcs11-tool", "--module", MODULE, "--read-object", "--type", "pubkey",
                        "--label", "ec", "-o", "ec.pub.der").ok();
                PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                        new X509EncodedKeySpec(Files.readAllBytes(dir.resolve("ec.pub.der"))));
                Path cert = store.issue(key, "device-t2p", dir.resolve("ec.crt.pem"));
                Programs.run(dir, env, "tpm2_ptool", "addcert", "--label=" + TOKEN, "--key-label=ec", path,
                        cert.toString()).ok();
            }
        }
        return t2p;
    }

    private static void awaitAbrmd(Map<String, String> env, LoggedProcess abrmd) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (Programs.run(Path.of("/tmp"), env, "tpm2_getcap", "properties-fixed").code() != 0) {
            if (System.nanoTime() > deadline || !abrmd.process().isAlive()) {
                throw new IllegalStateException("tpm2-abrmd did not come up:\n" + abrmd.log());
            }
            Thread.sleep(100);
        }
    }

    /** The environment of a program loading the library: its store, and swtpm without a resource manager. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("TPM2_PKCS11_STORE", dir.toString());
        env.put("TPM2_PKCS11_TCTI", swtpm.tcti());
        return env;
    }

    /**
     * Flushes the objects and sessions a program using the library left in swtpm: without a resource
     * manager nobody does when it exits without C_Finalize (wpa_supplicant, a stopped p11-kit server).
     */
    void flushLeftovers() {
        swtpm.disconnect();
        Map<String, String> direct = Map.of("TPM2TOOLS_TCTI", swtpm.tcti());
        for (String what : new String[] {"--transient-object", "--loaded-session", "--saved-session"}) {
            Programs.run(dir, direct, "tpm2_flushcontext", what).ok();
        }
    }

    /** The network block lines of eapol_test for the key in this token. */
    static String eapolCredentials() {
        return "client_cert=\"pkcs11:token=" + TOKEN + ";object=ec;type=cert\"\n"
                + "private_key=\"pkcs11:token=" + TOKEN + ";object=ec;type=private\"\n"
                + "pin=\"" + PIN + "\"\n";
    }

    /** {@code p11-kit server} serving this token on {@code socket} (its own swtpm connection while it runs). */
    LoggedProcess p11KitServer(Path socket) throws Exception {
        swtpm.disconnect();
        List<String> command = new ArrayList<>(List.of("env"));
        env().forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(List.of("p11-kit", "server", "-f", "-n", socket.toString(), "--provider", MODULE,
                "pkcs11:token=" + TOKEN));
        return new LoggedProcess(dir, command, "P11_KIT_SERVER_ADDRESS");
    }
}
