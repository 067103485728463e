package org.tpmauth.attest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tpmauth.tss.testing.Tools;

/**
 * A real PostgreSQL server (Debian's, /usr/lib/postgresql/VERSION/bin) in a temporary directory on a free
 * 127.0.0.1 port, run as the unprivileged user nobody (PostgreSQL refuses to run as root). Trust
 * authentication: only this machine's processes reach it, and only for the test's lifetime.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    public final int port;

    public PostgresServer() {
        bin = binDirectory();
        try {
            dir = Files.createTempDirectory("tpmauth-pg", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Tools.capture(dir, Map.of(), "chown", "nobody:nogroup", dir.toString()).ok();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        asNobody(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync");
        asNobody(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                        + " -c fsync=off", "-w", "-t", "60", "start");
        awaitConnections();
    }

    /** The JDBC URL of the database "postgres" as user postgres. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private void awaitConnections() {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (var c = DriverManager.getConnection(url())) {
                return;
            } catch (SQLException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("PostgreSQL did not accept connections: " + notYet.getMessage());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void asNobody(String... command) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "--reset-env"));
        all.addAll(List.of(command));
        Tools.capture(dir, Map.of(), all.toArray(String[]::new)).ok();
    }

    private static Path binDirectory() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.naturalOrder())
                    .orElseThrow(() -> new AssertionError("no PostgreSQL server (scripts/install-deps.sh installs it)"));
        } catch (IOException e) {
            throw new UncheckedIOException("no PostgreSQL server (scripts/install-deps.sh installs it)", e);
        }
    }

    @Override
    public void close() {
        asNobody(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        Tools.capture(Path.of("/"), Map.of(), "rm", "-rf", dir.toString()).ok();
    }
}
