package org.tpmauth.vpn.openvpn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tpmauth.tls.LoggedProcess;

/**
 * OpenVPN 2.6 in point-to-point TLS mode over TCP on 127.0.0.1 with {@code --dev null} (no tun device): a
 * server with a software key, and clients whose key and certificate come from the management interface.
 */
public final class OpenVpn extends LoggedProcess {
    public static final String CONNECTED = "Initialization Sequence Completed";
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private OpenVpn(Path dir, List<String> command, String readyText) throws Exception {
        super(dir, command, readyText);
    }

    /**
     * A server on {@code port}; {@code opensslConf} (or null) limits its TLS, e.g. ClientSignatureAlgorithms.
     */
    public static OpenVpn server(VpnTestKeys keys, int port, Path opensslConf, String... extra) throws Exception {
        List<String> command = new ArrayList<>();
        if (opensslConf != null) {
            command.addAll(List.of("env", "OPENSSL_CONF=" + opensslConf));
        }
        command.addAll(List.of("openvpn", "--dev", "null", "--proto", "tcp-server", "--local", "127.0.0.1", "--lport",
                String.valueOf(port), "--tls-server", "--ca", keys.caPem.toString(), "--cert", keys.serverCert.toString(),
                "--key", keys.serverKey.toString(), "--dh", "none", "--verb", "3"));
        command.addAll(List.of(extra));
        return new OpenVpn(keys.dir, command, "Listening for incoming TCP connection");
    }

    /**
     * A client of the server on {@code serverPort} with an external key and certificate through the
     * management interface {@code management} (e.g. "127.0.0.1", "PORT", or "PATH", "unix").
     */
    public static OpenVpn client(VpnTestKeys keys, int serverPort, List<String> management, String readyText,
            String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("openvpn", "--dev", "null", "--proto", "tcp-client", "--remote",
                "127.0.0.1", String.valueOf(serverPort), "--tls-client", "--ca", keys.caPem.toString(),
                "--connect-retry", "1", "--management-external-cert", "tpmauth", "--verb", "3", "--management"));
        command.addAll(management);
        command.addAll(List.of(extra));
        if (!command.contains("--management-external-key")) {
            command.addAll(List.of("--management-external-key", "pkcs1", "pss"));
        }
        return new OpenVpn(keys.dir, command, readyText);
    }

    /** Any OpenVPN command line (e.g. under {@code ip netns exec}), ready once it printed {@code readyText}. */
    public static OpenVpn run(Path dir, List<String> command, String readyText) throws Exception {
        return new OpenVpn(dir, command, readyText);
    }

    public void awaitConnected() throws InterruptedException {
        awaitLog(CONNECTED, TIMEOUT);
    }
}
