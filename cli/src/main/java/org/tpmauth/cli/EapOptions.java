package org.tpmauth.cli;

import java.io.IOException;
import java.util.EnumSet;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.eap.eapol.EthernetSocket;
import picocli.CommandLine.Option;

/** Options the eap commands share: the TLS version, and for the wired ones the interface and its namespace. */
final class EapOptions {
    private EapOptions() {
    }

    /** {@code --tls}. */
    static final class Tls {
        @Option(names = "--tls", paramLabel = "1.2|1.3", description = "Only this TLS version (default: 1.3 or 1.2).")
        String tls;

        /** The default settings with the chosen TLS versions. */
        EapTlsConfig config() {
            return EapTlsConfig.defaults().withVersions(
                    tls == null ? EnumSet.allOf(TlsVersion.class) : EnumSet.of(TlsVersion.parse(tls)));
        }
    }

    /** {@code --interface} and {@code --netns}. */
    static final class Wire {
        @Option(names = "--interface", required = true, paramLabel = "IF", description = "Ethernet interface, e.g. eth0.")
        String iface;

        @Option(names = "--netns", paramLabel = "NAME", description = "Open the interface inside this network namespace "
                + "(ip netns); the TPM stays reachable as it is.")
        String netns;

        EthernetSocket open() throws IOException {
            return EthernetSocket.open(iface, netns);
        }
    }
}
