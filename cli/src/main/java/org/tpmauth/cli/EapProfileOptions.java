package org.tpmauth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.tpmauth.eap.provision.EapTlsProfile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The EAP-TLS profile options shared by nm provision and wpa-supplicant config. */
final class EapProfileOptions {
    @Option(names = "--connection", required = true, paramLabel = "NAME",
            description = "Connection name; also the key's alias in the keystore and its label in the token.")
    String connection;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Medium medium;

    static final class Medium {
        @Option(names = "--wired", paramLabel = "IFACE", description = "Wired 802.1X on this interface.")
        String wired;

        @Option(names = "--ssid", paramLabel = "SSID", description = "WPA-Enterprise Wi-Fi network.")
        String ssid;
    }

    @Option(names = "--identity", required = true, paramLabel = "ID", description = "EAP identity (also the CSR's CN).")
    String identity;

    @Option(names = "--ca", required = true, paramLabel = "ca.pem",
            description = "CA certificate of the authentication server.")
    Path ca;

    @Option(names = "--token", defaultValue = "tpmauth", paramLabel = "LABEL",
            description = "Label of tpmauth's token (its serve --label; default: ${DEFAULT-VALUE}).")
    String token;

    @Option(names = "--pin-file", paramLabel = "F", description = "The token's PIN, if it needs one.")
    Path pinFile;

    EapTlsProfile profile() throws IOException {
        EapTlsProfile.Medium m = medium.wired != null ? new EapTlsProfile.Wired(medium.wired)
                : new EapTlsProfile.Wifi(medium.ssid);
        Optional<String> pin = pinFile == null ? Optional.empty()
                : Optional.of(new String(KeyRef.readPassword(pinFile), StandardCharsets.UTF_8));
        return new EapTlsProfile(connection, m, identity, ca, token, pin);
    }
}
