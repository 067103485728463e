package org.tpmauth.pkcs11;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.testing.Tools;

/**
 * The shared FreeRADIUS fixture (EAP-TLS, TLS 1.2 and 1.3, a software server key from the keystore's test CA)
 * and eapol_test runs against it, with the client key in the token (pkcs11: URIs) or in a file.
 */
final class Radius implements AutoCloseable {
    final Path work;
    private final FreeRadius server;

    private Radius(Path work, FreeRadius server) {
        this.work = work;
        this.server = server;
    }

    /** Starts FreeRADIUS with a server key issued by the keystore's test CA (files in {@code work}). */
    static Radius start(Path work, TestKeystore store) throws Exception {
        return start(work, store, FreeRadius.Mode.DEBUG);
    }

    /** The same in {@code mode} (benchmarks: as a production server runs). */
    static Radius start(Path work, TestKeystore store, FreeRadius.Mode mode) throws Exception {
        store.issueSoftware(work, "radius");
        return new Radius(work, FreeRadius.start(store.caPem, work.resolve("radius.pem"), work.resolve("radius.key"),
                1024, mode));
    }

    /**
     * eapol_test with {@code globals} and the network block's {@code credentials} lines,
     * {@code reauths} re-authentications after the first; TLS 1.3 or 1.2.
     */
    Tools.Output eapol(String name, String globals, String credentials, String tls, Path ca, int reauths,
            Map<String, String> env) throws IOException {
        Path conf = Files.writeString(work.resolve("eapol-" + name + "-" + tls + ".conf"),
                WpaSupplicant.config(globals, name, ca, credentials, tls));
        return Programs.run(work, env, "eapol_test", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                String.valueOf(server.port), "-s", server.secret, "-r", String.valueOf(reauths), "-t", "20");
    }

    /** The network block lines that take the client certificate and key from tpmauth's token. */
    static String tokenCredentials(String alias) {
        return WpaSupplicant.pkcs11Credentials("tpmauth", alias);
    }

    /** The global lines of a config whose key is in the token, through p11-kit's client module. */
    static final String TOKEN_GLOBALS = WpaSupplicant.pkcs11Globals(Programs.CLIENT_MODULE);

    @Override
    public void close() {
        server.close();
    }
}
