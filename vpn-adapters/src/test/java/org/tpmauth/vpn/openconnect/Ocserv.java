package org.tpmauth.vpn.openconnect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tpmauth.tls.LoggedProcess;

/**
 * ocserv on a free 127.0.0.1 port with certificate authentication (the user is the certificate's CN),
 * TLS 1.2 and 1.3 or, with {@code tls12Only}, TLS 1.2 only. No tunnel is brought up by the tests
 * ({@code openconnect --authenticate}), so it needs no tun device. GnuTLS does not read the JDK's PKCS#8
 * encoding of EC keys ("ASN1 parser: Element was not found"): give it an RSA server key.
 */
public final class Ocserv extends LoggedProcess {
    public final int port;

    private Ocserv(Path dir, Path config, int port) throws Exception {
        super(dir, List.of("ocserv", "--foreground", "--debug=2", "--config", config.toString()),
                "listening (TCP) on 127.0.0.1:" + port);
        this.port = port;
    }

    public static Ocserv start(Path dir, Path serverCert, Path serverKey, Path ca, boolean tls12Only) throws Exception {
        int port = freePort();
        String name = "ocserv-" + port;
        Path config = Files.writeString(dir.resolve(name + ".conf"), String.join("\n",
                "auth = \"certificate\"",
                "cert-user-oid = 2.5.4.3",
                "listen-host = 127.0.0.1",
                "tcp-port = " + port,
                "run-as-user = root",
                "run-as-group = root",
                "socket-file = " + dir.resolve(name + ".sock"),
                "pid-file = " + dir.resolve(name + ".pid"),
                "server-cert = " + serverCert,
                "server-key = " + serverKey,
                "ca-cert = " + ca,
                "isolate-workers = false",
                "max-clients = 16",
                "device = vpns",
                "ipv4-network = 192.168.99.0",
                "ipv4-netmask = 255.255.255.0",
                "tls-priorities = \"NORMAL:%SERVER_PRECEDENCE" + (tls12Only ? ":-VERS-TLS1.3" : "") + "\"",
                ""));
        return new Ocserv(dir, config, port);
    }

    public String url() {
        return "https://127.0.0.1:" + port + "/";
    }
}
