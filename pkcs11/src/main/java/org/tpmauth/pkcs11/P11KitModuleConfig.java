package org.tpmauth.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The p11-kit module config that registers the token for programs that never see an environment
 * variable (NetworkManager's wpa_supplicant, GnuTLS users, anything loading p11-kit-proxy.so): one file
 * {@code DIR/NAME.module} with {@code remote: unix:path=SOCKET}. System-wide the directory is
 * /etc/pkcs11/modules; per user ~/.config/pkcs11/modules (which p11-kit ignores for root).
 */
public final class P11KitModuleConfig {
    /** The first line of a config tpmauth wrote; uninstall removes only such files. */
    static final String MARKER = "# tpmauth PKCS#11 token: written by 'tpmauth pkcs11 install', removed by 'tpmauth pkcs11 uninstall'";
    public static final Path SYSTEM_DIR = Path.of("/etc/pkcs11/modules");

    private P11KitModuleConfig() {
    }

    /** The client address of a socket, as P11_KIT_SERVER_ADDRESS and {@code remote:} take it. */
    public static String address(Path socket) {
        if (!socket.isAbsolute()) {
            throw new IllegalArgumentException("p11-kit needs an absolute socket path, not " + socket);
        }
        StringBuilder b = new StringBuilder("unix:path=");
        for (byte c : socket.toString().getBytes(StandardCharsets.UTF_8)) {
            if (Character.isLetterOrDigit(c) && c > 0 || "/-_.~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append(String.format("%%%02X", c & 0xff)); // p11-kit percent-decodes the path
            }
        }
        return b.toString();
    }

    /** Writes {@code dir/name.module}; returns the file. */
    public static Path install(Path dir, String name, Path socket) throws IOException {
        Path file = file(dir, name);
        if (Files.exists(file) && !ours(file)) {
            throw new IOException(file + " exists and was not written by tpmauth; remove it or pick another --name");
        }
        Files.createDirectories(dir);
        Files.writeString(file, MARKER + "\nremote: " + address(socket) + "\n");
        return file;
    }

    /** Removes {@code dir/name.module} if tpmauth wrote it; false when there was none. */
    public static boolean uninstall(Path dir, String name) throws IOException {
        Path file = file(dir, name);
        if (!Files.exists(file)) {
            return false;
        }
        if (!ours(file)) {
            throw new IOException(file + " was not written by tpmauth; it is left alone");
        }
        Files.delete(file);
        return true;
    }

    private static Path file(Path dir, String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a module name is letters, digits, '.', '_' and '-', not '" + name + "'");
        }
        return dir.resolve(name + ".module");
    }

    private static boolean ours(Path file) throws IOException {
        return Files.readString(file).startsWith(MARKER);
    }
}
