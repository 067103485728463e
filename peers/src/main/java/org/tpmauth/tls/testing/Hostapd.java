package org.tpmauth.tls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.tpmauth.tls.LoggedProcess;

/**
 * hostapd as a wired 802.1X authenticator (driver=wired, PAE group address) on an interface inside a
 * network namespace, with its integrated EAP server or with a RADIUS server behind it.
 */
public final class Hostapd extends LoggedProcess {
    /** What hostapd logs when it opens the port (it logs "unauthorizing port" at the start). */
    public static final String AUTHORIZED = "IEEE 802.1X: authorizing port";

    private Hostapd(String netns, Path dir, Path conf) throws IOException {
        super(NetNamespace.inNamespace(netns, "hostapd", "-dd", conf.toString()), dir.resolve("hostapd.log"), dir);
    }

    /** hostapd with its integrated EAP server (EAP-TLS for every identity, TLS 1.2 and 1.3). */
    public static Hostapd start(String netns, String iface, Path caPem, Path serverCertPem, Path serverKeyPem)
            throws Exception {
        Path dir = Files.createTempDirectory("tpmauth-hostapd");
        Files.writeString(dir.resolve("eap_users"), "* TLS\n");
        return start(netns, iface, dir, """
                eap_server=1
                eap_user_file=%s
                ca_cert=%s
                server_cert=%s
                private_key=%s
                tls_flags=[ENABLE-TLSv1.3]
                """.formatted(dir.resolve("eap_users"), caPem, serverCertPem, serverKeyPem));
    }

    /** hostapd passing EAP on to a RADIUS server at 127.0.0.1:{@code port} (of the same namespace). */
    public static Hostapd startWithRadius(String netns, String iface, int port, String secret) throws Exception {
        return startWithRadius(netns, iface, "127.0.0.1", "127.0.0.1", port, secret);
    }

    /** hostapd at {@code ownAddress} passing EAP on to a RADIUS server at {@code serverAddress}:{@code port}. */
    public static Hostapd startWithRadius(String netns, String iface, String ownAddress, String serverAddress, int port,
            String secret) throws Exception {
        return start(netns, iface, Files.createTempDirectory("tpmauth-hostapd"), """
                own_ip_addr=%s
                auth_server_addr=%s
                auth_server_port=%d
                auth_server_shared_secret=%s
                """.formatted(ownAddress, serverAddress, port, secret));
    }

    private static Hostapd start(String netns, String iface, Path dir, String eapSettings) throws Exception {
        Path conf = Files.writeString(dir.resolve("hostapd.conf"), """
                interface=%s
                driver=wired
                ieee8021x=1
                eapol_version=2
                use_pae_group_addr=1
                logger_stdout=-1
                logger_stdout_level=0
                """.formatted(iface) + eapSettings);
        Hostapd hostapd = new Hostapd(netns, dir, conf);
        try {
            hostapd.await(log -> log.contains("ENABLED"), Duration.ofSeconds(20), "interface enabled");
        } catch (Exception e) {
            hostapd.close();
            throw e;
        }
        return hostapd;
    }

    /** Waits (10 s at most; hostapd may log after the peer saw success) until it authorized the port. */
    public void awaitAuthorized() throws InterruptedException {
        awaitLog(AUTHORIZED, Duration.ofSeconds(10));
    }
}
