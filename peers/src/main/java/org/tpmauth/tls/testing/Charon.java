package org.tpmauth.tls.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tpmauth.tls.LoggedProcess;

/**
 * strongSwan's charon-systemd in a network namespace with a strongswan.conf, vici socket and log of its own in
 * {@code home} (several charons run side by side: charon-systemd writes no PID file), and the {@code swanctl}
 * command lines that talk to it. ESP runs in userspace (kernel-libipsec): not every kernel has XFRM ESP.
 */
public final class Charon extends LoggedProcess {
    public static final Path CHARON = Path.of("/usr/sbin/charon-systemd");
    public final String netns;
    public final Path home;

    private Charon(String netns, Path home, List<String> command) throws IOException {
        super(command, home.resolve("charon.out"));
        this.netns = netns;
        this.home = home;
    }

    /**
     * Starts charon in {@code netns}; {@code plugins} are added to its plugin list, {@code settings} appended to
     * its strongswan.conf, {@code env} added to its environment. Returns once its vici socket is open. Its log
     * file's lines start with the Unix time in milliseconds ("1764147600.123"), which benchmarks time IKE_SAs by.
     */
    public static Charon start(String netns, Path home, String plugins, String settings, Map<String, String> env)
            throws IOException, InterruptedException {
        Path socket = home.resolve("charon.vici");
        Files.createDirectories(home.resolve("swanctl"));
        Files.writeString(home.resolve("strongswan.conf"), """
                charon {
                  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints revocation kdf kernel-libipsec kernel-netlink socket-default vici%s
                  filelog {
                    log {
                      path = %s
                      default = 1
                      ike = 2
                      flush_line = yes
                      time_format = %%s
                      time_add_ms = yes
                    }
                  }
                  plugins {
                    vici {
                      socket = unix://%s
                    }
                  }
                }
                swanctl {
                  socket = unix://%s
                }
                %s""".formatted(plugins, home.resolve("charon.log"), socket, socket, settings));
        List<String> command = new ArrayList<>(List.of("env", "STRONGSWAN_CONF=" + home.resolve("strongswan.conf")));
        env.forEach((name, value) -> command.add(name + "=" + value));
        command.add(CHARON.toString());
        Charon charon = new Charon(netns, home, NetNamespace.inNamespace(netns, command.toArray(String[]::new)));
        try {
            charon.await(log -> Files.exists(socket), Duration.ofSeconds(5), "its vici socket " + socket);
        } catch (RuntimeException | InterruptedException e) {
            charon.close();
            throw e;
        }
        return charon;
    }

    /**
     * Writes a road-warrior gateway's swanctl directory {@code swanctl}: connection {@code rw} on
     * {@code localAddress}, proving {@code id} with {@code cert} and {@code key} (PEM), accepting clients with a
     * certificate from {@code ca}, giving them a virtual IP from {@code pool} and a CHILD_SA to {@code localTs}.
     */
    public static void writeGatewayConfig(Path swanctl, Path cert, Path key, Path ca, String localAddress, String id,
            String localTs, String pool) throws IOException {
        for (String sub : new String[] {"x509", "x509ca", "private"}) {
            Files.createDirectories(swanctl.resolve(sub));
        }
        Files.copy(cert, swanctl.resolve("x509/gateway.pem"));
        Files.copy(key, swanctl.resolve("private/gateway.pem"));
        Files.copy(ca, swanctl.resolve("x509ca/ca.pem"));
        Files.writeString(swanctl.resolve("swanctl.conf"), """
                connections {
                  rw {
                    version = 2
                    local_addrs = %s
                    pools = rw
                    local {
                      auth = pubkey
                      certs = gateway.pem
                      id = "%s"
                    }
                    remote {
                      auth = pubkey
                      cacerts = ca.pem
                    }
                    children {
                      net {
                        local_ts = %s
                      }
                    }
                  }
                }
                pools {
                  rw {
                    addrs = %s
                  }
                }
                """.formatted(localAddress, id, localTs, pool));
    }

    /** {@code swanctl ARGS} for this charon (its namespace, config and {@code home/swanctl}), as a command line. */
    public List<String> swanctl(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "STRONGSWAN_CONF=" + home.resolve("strongswan.conf"),
                "SWANCTL_DIR=" + home.resolve("swanctl"), "swanctl"));
        command.addAll(List.of(args));
        return NetNamespace.inNamespace(netns, command.toArray(String[]::new));
    }

    /** charon's log file so far (its stdout is {@link #log()}). */
    public String charonLog() {
        Path file = home.resolve("charon.log");
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")\n";
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")\n";
        }
    }
}
