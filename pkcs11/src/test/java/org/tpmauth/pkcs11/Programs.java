package org.tpmauth.pkcs11;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tpmauth.tss.testing.Tools;

/** Runs the real programs of the tests (pkcs11-tool, openssl) and captures what they print. */
final class Programs {
    static final String CLIENT_MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";

    private Programs() {
    }

    static Tools.Output run(Path dir, Map<String, String> env, String... command) {
        return Tools.capture(dir, env, command);
    }

    /** pkcs11-tool through p11-kit-client.so to the server at {@code socket}. */
    static Tools.Output pkcs11Tool(Path dir, Path socket, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "pkcs11-tool";
        command[1] = "--module";
        command[2] = CLIENT_MODULE;
        System.arraycopy(args, 0, command, 3, args.length);
        return run(dir, Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + socket), command);
    }

    static Tools.Output openssl(Path dir, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        return run(dir, Map.of(), command);
    }

    static List<String> lines(Tools.Output r) {
        return r.out().lines().toList();
    }
}
