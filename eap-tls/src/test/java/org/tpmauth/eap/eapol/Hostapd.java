package org.tpmauth.eap.eapol;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * hostapd as a wired 802.1X authenticator (driver=wired, PAE group address, integrated EAP server with
 * EAP-TLS for every identity, TLS 1.2 and 1.3) on interface {@code iface} inside namespace {@code netns}.
 */
public final class Hostapd implements AutoCloseable {
    private final LoggedProcess process;

    private Hostapd(LoggedProcess process) {
        this.process = process;
    }

    public static Hostapd start(String netns, String iface, Path caPem, Path serverCertPem, Path serverKeyPem)
            throws Exception {
        Path dir = Files.createTempDirectory("tpmauth-hostapd");
        Files.writeString(dir.resolve("eap_users"), "* TLS\n");
        Path conf = Files.writeString(dir.resolve("hostapd.conf"), """
                interface=%s
                driver=wired
                ieee8021x=1
                eapol_version=2
                use_pae_group_addr=1
                eap_server=1
                eap_user_file=%s
                ca_cert=%s
                server_cert=%s
                private_key=%s
                tls_flags=[ENABLE-TLSv1.3]
                logger_stdout=-1
                logger_stdout_level=0
                """.formatted(iface, dir.resolve("eap_users"), caPem, serverCertPem, serverKeyPem));
        LoggedProcess p = new LoggedProcess(VethPair.inNamespace(netns, "hostapd", "-dd", conf.toString()),
                dir.resolve("hostapd.log"));
        Hostapd hostapd = new Hostapd(p);
        try {
            p.await(log -> log.contains("ENABLED"), 20, "interface enabled");
        } catch (Exception e) {
            hostapd.close();
            throw e;
        }
        return hostapd;
    }

    public String log() throws java.io.IOException {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
