package org.tpmauth.vpn.openconnect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The openconnect command line for a TPM key file and its certificate, with the TPM made reachable. */
public final class OpenConnect {
    private OpenConnect() {
    }

    /**
     * {@code openconnect -c CERT -k KEY ARGS... URL} with the environment {@code tpm} needs.
     *
     * @param args more openconnect options, e.g. --authenticate, --protocol=anyconnect, --cafile ca.pem
     */
    public static ProcessBuilder command(Path key, Path cert, String url, List<String> args, OpenConnectTpm tpm) {
        List<String> command = new ArrayList<>(List.of("openconnect", "-c", cert.toString(), "-k", key.toString()));
        command.addAll(args);
        command.add(url);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(tpm.environment());
        return builder;
    }
}
