package org.tpmauth.eap.provision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Adds a profile to a running NetworkManager: its keyfile goes into NM's keyfile directory and
 * {@code nmcli connection load} makes NM read it; then NM is asked for the connection, because nmcli
 * exits 0 even when NM refused the file (a directory it does not read, a keyfile it rejects).
 */
public final class NmConnections {
    /** Where NetworkManager's keyfile plugin keeps system connections unless its [keyfile] path= says otherwise. */
    public static final Path SYSTEM_DIR = Path.of("/etc/NetworkManager/system-connections");
    private static final long NMCLI_SECONDS = 30;

    private NmConnections() {
    }

    /**
     * Writes {@code dir/CONNECTION.nmconnection} (mode 0600, as NM insists; the uuid of an earlier file is
     * kept, so running again updates the same connection) and has NetworkManager load it.
     *
     * @return the keyfile
     * @throws IOException when nmcli cannot run or NetworkManager did not take the connection
     */
    public static Path add(Path dir, EapTlsProfile profile) throws IOException, InterruptedException {
        Path file = dir.resolve(profile.connection() + ".nmconnection");
        UUID uuid = Files.exists(file) ? uuidOf(file) : UUID.randomUUID();
        Files.createDirectories(dir);
        Files.deleteIfExists(file); // created anew, so the secret is never in a file readable by others
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, profile.keyfile(uuid));
        Output load = nmcli("connection", "load", file.toString());
        if (load.exit != 0) {
            throw new IOException("nmcli connection load " + file + " failed with exit " + load.exit + ": " + load.text
                    + " (is NetworkManager running?)");
        }
        Output loaded = nmcli("-g", "connection.id", "connection", "show", "uuid", uuid.toString());
        if (loaded.exit != 0 || !loaded.text.equals(profile.connection())) {
            throw new IOException("NetworkManager did not load " + file + " (" + load.text + "): write it where "
                    + "NetworkManager reads keyfiles, its [keyfile] path (by default " + SYSTEM_DIR + ")");
        }
        return file;
    }

    /** The uuid= of an existing keyfile, or a new one when it has none. */
    private static UUID uuidOf(Path keyfile) throws IOException {
        for (String line : Files.readAllLines(keyfile)) {
            if (line.startsWith("uuid=")) {
                try {
                    return UUID.fromString(line.substring(5).strip());
                } catch (IllegalArgumentException malformed) {
                    break;
                }
            }
        }
        return UUID.randomUUID();
    }

    /** What nmcli printed (stdout and stderr, stripped) and its exit code. */
    private record Output(int exit, String text) {
    }

    private static Output nmcli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("nmcli"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run nmcli (install NetworkManager, or use --offline): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(NMCLI_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + NMCLI_SECONDS + " s");
        }
        return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    }
}
