package org.tpmauth.tls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code openssl s_server} on a free 127.0.0.1 port, demanding a client certificate from a CA. */
public final class OpensslServer extends LoggedProcess {
    public final int port;

    /**
     * @param extra the server mode and more options, e.g. "-www", "-tls1_2", "-client_sigalgs", "RSA+SHA256"
     */
    public OpensslServer(Path cert, Path key, Path ca, String... extra) throws Exception {
        this(freePort(), cert, key, ca, extra);
    }

    private OpensslServer(int port, Path cert, Path key, Path ca, String... extra) throws Exception {
        super(cert.toAbsolutePath().getParent(), command(port, cert, key, ca, extra), "ACCEPT");
        this.port = port;
    }

    private static List<String> command(int port, Path cert, Path key, Path ca, String... extra) {
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), "-CAfile", ca.toString(), "-Verify", "1",
                "-verify_return_error"));
        command.addAll(List.of(extra));
        return command;
    }
}
