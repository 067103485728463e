package org.tpmauth.tss.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed tpm2-tss style TCTI config string: {@code swtpm:host=H,port=P}, {@code swtpm:path=SOCKET},
 * {@code mssim:host=H,port=P}, {@code device:/dev/tpmrm0}, {@code libtpms:STATE_DIR}.
 */
public sealed interface TctiConfig {
    String FORMS = "valid forms: swtpm:host=127.0.0.1,port=2321 | swtpm:path=/run/swtpm/sock | "
            + "mssim:host=127.0.0.1,port=2321 | "
            + "device:/dev/tpmrm0 | libtpms:/path/to/state-dir";
    String DEFAULT_DEVICE = "/dev/tpmrm0";

    /** Opens the transport. */
    Tcti open();

    /** swtpm's TCP data channel on {@code port} and its control channel on {@code port + 1}. */
    record Swtpm(String host, int port) implements TctiConfig {
        @Override
        public Tcti open() {
            return new SwtpmTcti(host, port);
        }

        @Override
        public String toString() {
            return "swtpm:host=" + host + ",port=" + port;
        }
    }

    /** swtpm's data channel on the UNIX socket {@code path}, its control channel on {@code path.ctrl}. */
    record SwtpmUnix(Path path) implements TctiConfig {
        @Override
        public Tcti open() {
            return new SwtpmTcti(path);
        }

        @Override
        public String toString() {
            return "swtpm:path=" + path;
        }
    }

    /** The reference simulator's framing; platform port is {@code port + 1}. */
    record Mssim(String host, int port) implements TctiConfig {
        @Override
        public Tcti open() {
            return new MssimTcti(host, port);
        }

        @Override
        public String toString() {
            return "mssim:host=" + host + ",port=" + port;
        }
    }

    /** A TPM character device. */
    record Device(Path path) implements TctiConfig {
        @Override
        public Tcti open() {
            return new DeviceTcti(path);
        }

        @Override
        public String toString() {
            return "device:" + path;
        }
    }

    /** The libtpms engine in this process, NVRAM in {@code stateDir}. */
    record Libtpms(Path stateDir) implements TctiConfig {
        @Override
        public Tcti open() {
            return LibtpmsTcti.open(stateDir);
        }

        @Override
        public String toString() {
            return "libtpms:" + stateDir;
        }
    }

    /** Parses a config string; a bad one gets an error listing the valid forms. */
    static TctiConfig parse(String config) {
        if (config == null || config.isBlank()) {
            throw new IllegalArgumentException("empty TCTI config; " + FORMS);
        }
        String text = config.trim();
        int colon = text.indexOf(':');
        String name = (colon < 0 ? text : text.substring(0, colon)).toLowerCase();
        String conf = colon < 0 ? "" : text.substring(colon + 1);
        switch (name) {
            case "swtpm", "mssim" -> {
                Map<String, String> kv = keyValues(text, conf, name.equals("swtpm"));
                if (kv.containsKey("path")) {
                    if (kv.containsKey("host") || kv.containsKey("port") || kv.get("path").isEmpty()) {
                        throw new IllegalArgumentException("'" + text + "' needs either path=SOCKET (a UNIX socket) "
                                + "or host and port (TCP), not both; " + FORMS);
                    }
                    return new SwtpmUnix(Path.of(kv.get("path")));
                }
                String host = kv.getOrDefault("host", "127.0.0.1");
                int port = port(text, kv.getOrDefault("port", "2321"));
                return name.equals("swtpm") ? new Swtpm(host, port) : new Mssim(host, port);
            }
            case "device" -> {
                return new Device(Path.of(conf.isEmpty() ? DEFAULT_DEVICE : conf));
            }
            case "libtpms" -> {
                if (conf.isEmpty()) {
                    throw new IllegalArgumentException("'" + text + "' names no state directory; " + FORMS);
                }
                return new Libtpms(Path.of(conf));
            }
            default -> throw new IllegalArgumentException("unknown TCTI '" + name + "' in '" + text + "'; " + FORMS);
        }
    }

    private static Map<String, String> keyValues(String text, String conf, boolean pathAllowed) {
        Map<String, String> kv = new HashMap<>();
        if (conf.isEmpty()) {
            return kv;
        }
        for (String part : conf.split(",")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? "" : part.substring(0, eq).trim().toLowerCase();
            if (!key.equals("host") && !key.equals("port") && !(pathAllowed && key.equals("path"))) {
                throw new IllegalArgumentException("'" + part + "' in '" + text + "' is not host=... or port=..."
                        + (pathAllowed ? " or path=..." : "") + "; " + FORMS);
            }
            kv.put(key, part.substring(eq + 1).trim());
        }
        return kv;
    }

    private static int port(String text, String value) {
        try {
            int p = Integer.parseInt(value);
            if (p > 0 && p < 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("port '" + value + "' in '" + text + "' is not a TCP port (1-65534); "
                + FORMS);
    }

    /**
     * The TCTI to use: {@code explicit} (a --tcti option) when given, else TPM2TOOLS_TCTI, else
     * TSS2_TCTI, else /dev/tpmrm0 when it exists.
     */
    static TctiConfig resolve(String explicit) {
        return resolve(explicit, System.getenv());
    }

    static TctiConfig resolve(String explicit, Map<String, String> env) {
        for (String candidate : new String[] {explicit, env.get("TPM2TOOLS_TCTI"), env.get("TSS2_TCTI")}) {
            if (candidate != null && !candidate.isBlank()) {
                return parse(candidate);
            }
        }
        if (Files.exists(Path.of(DEFAULT_DEVICE))) {
            return new Device(Path.of(DEFAULT_DEVICE));
        }
        throw new IllegalArgumentException("no TPM configured: give --tcti, or set TPM2TOOLS_TCTI or TSS2_TCTI, "
                + "and " + DEFAULT_DEVICE + " does not exist; " + FORMS);
    }
}
