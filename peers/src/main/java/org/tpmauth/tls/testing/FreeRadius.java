package org.tpmauth.tls.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.tpmauth.tls.LoggedProcess;

/**
 * A FreeRADIUS 3.2 server for tests: a minimal raddb in a temporary folder (EAP-TLS only, TLS 1.2 and
 * 1.3, client certificates checked against one CA), listening on 127.0.0.1 at a free port, started
 * in the foreground with debug logs to a file (or, for benchmarks, as a production server runs) and
 * stopped by its process (its folder deleted). Start one per test class.
 */
public final class FreeRadius implements AutoCloseable {
    /** How the server runs. */
    public enum Mode {
        /** {@code -X}, as the tests run it: one thread, every packet and module call in the log. */
        DEBUG("-X"),
        /**
         * {@code -f}, as a production server runs (only in the foreground, for its process to be ours): its
         * thread pool, the normal log level (start-up, one line per authentication) to the log file.
         */
        PRODUCTION("-f");

        private final String flag;

        Mode(String flag) {
            this.flag = flag;
        }
    }

    public final Path dir;
    public final int port;
    public final String secret;
    private final LoggedProcess process;

    private FreeRadius(Path dir, int port, String secret, LoggedProcess process) {
        this.dir = dir;
        this.port = port;
        this.secret = secret;
        this.process = process;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * Starts the server with its certificate chain and key (PEM), trusting client certificates from
     * {@code caPem}, sending EAP fragments of at most {@code fragmentSize} bytes.
     */
    public static FreeRadius start(Path caPem, Path serverChainPem, Path serverKeyPem,
            int fragmentSize) throws Exception {
        return start(caPem, serverChainPem, serverKeyPem, fragmentSize, (String) null);
    }

    /** The same in {@code mode} (benchmarks: {@link Mode#PRODUCTION}). */
    public static FreeRadius start(Path caPem, Path serverChainPem, Path serverKeyPem, int fragmentSize, Mode mode)
            throws Exception {
        return start(caPem, null, serverChainPem, serverKeyPem, fragmentSize, null, "127.0.0.1", "127.0.0.1", mode);
    }

    /** The same inside network namespace {@code netns} (its own 127.0.0.1), when not null. */
    public static FreeRadius start(Path caPem, Path serverChainPem, Path serverKeyPem, int fragmentSize, String netns)
            throws Exception {
        return start(caPem, serverChainPem, serverKeyPem, fragmentSize, netns, "127.0.0.1", "127.0.0.1");
    }

    /**
     * The same listening on {@code listenAddress} (an address of {@code netns}, or of this machine when null),
     * serving the RADIUS client (an authenticator) at {@code clientAddress}.
     */
    public static FreeRadius start(Path caPem, Path serverChainPem, Path serverKeyPem, int fragmentSize, String netns,
            String listenAddress, String clientAddress) throws Exception {
        return start(caPem, null, serverChainPem, serverKeyPem, fragmentSize, netns, listenAddress, clientAddress,
                Mode.DEBUG);
    }

    /**
     * On 127.0.0.1, also checking client certificates against the CRLs in {@code crlDir} ({@code check_crl}: a
     * certificate whose CA has no CRL there is refused). The directory is OpenSSL's hashed ca_path: a PEM CRL is
     * named {@code HASH.rN} (HASH from {@code openssl crl -hash}, N = 0, 1, ... for each newer CRL of that CA). OpenSSL
     * looks for CRL files it has not read yet at each verification and takes the newest CRL, so a CRL added under
     * the next N counts from the next authentication. (FreeRADIUS's own ca_path_reload_interval is at least 300 s.)
     */
    public static FreeRadius startCheckingCrls(Path caPem, Path crlDir, Path serverChainPem, Path serverKeyPem,
            int fragmentSize) throws Exception {
        return start(caPem, crlDir, serverChainPem, serverKeyPem, fragmentSize, null, "127.0.0.1", "127.0.0.1",
                Mode.DEBUG);
    }

    private static FreeRadius start(Path caPem, Path crlDir, Path serverChainPem, Path serverKeyPem, int fragmentSize,
            String netns, String listenAddress, String clientAddress, Mode mode) throws Exception {
        Path dir = Files.createTempDirectory("tpmauth-freeradius");
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
        int port = LoggedProcess.freeUdpPort();
        String secret = "radius-test-secret";
        String crls = crlDir == null ? "" : "ca_path = " + crlDir + "\n\t\t\tcheck_crl = yes\n";
        Files.writeString(dir.resolve("radiusd.conf"), config(dir, port, secret, caPem, serverChainPem, serverKeyPem,
                fragmentSize, listenAddress, clientAddress, crls), StandardCharsets.UTF_8);
        List<String> command = List.of("freeradius", mode.flag, "-d", dir.toString());
        LoggedProcess process = new LoggedProcess(netns == null ? command
                : NetNamespace.inNamespace(netns, command.toArray(String[]::new)), dir.resolve("radiusd.log"), dir);
        FreeRadius server = new FreeRadius(dir, port, secret, process);
        try {
            process.awaitLog("Ready to process requests", Duration.ofSeconds(20));
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The server's process id. */
    public long pid() {
        return process.process().pid();
    }

    /** The server's log so far (the debug log in {@link Mode#DEBUG}). */
    public String log() {
        return process.log();
    }

    private static String config(Path dir, int port, String secret, Path ca, Path cert, Path key, int fragmentSize,
            String listenAddress, String clientAddress, String crls) {
        return """
                prefix = /usr
                exec_prefix = /usr
                sysconfdir = /etc
                localstatedir = /var
                sbindir = /usr/sbin
                raddbdir = %1$s
                confdir = ${raddbdir}
                logdir = ${raddbdir}/log
                run_dir = ${raddbdir}/run
                db_dir = ${raddbdir}
                libdir = /usr/lib/freeradius
                pidfile = ${run_dir}/radiusd.pid
                name = freeradius
                max_request_time = 30
                cleanup_delay = 2
                max_requests = 16384
                hostname_lookups = no
                log {
                	destination = stderr
                	auth = yes
                }
                security {
                	allow_core_dumps = no
                	max_attributes = 200
                	reject_delay = 0
                	status_server = no
                }
                thread pool {
                	start_servers = 4
                	max_servers = 8
                	min_spare_servers = 2
                	max_spare_servers = 8
                }
                client local {
                	ipaddr = %9$s
                	secret = %3$s
                }
                modules {
                	eap {
                		default_eap_type = tls
                		timer_expire = 60
                		max_sessions = 4096
                		tls-config tls-common {
                			private_key_file = %6$s
                			certificate_file = %5$s
                			ca_file = %4$s
                			tls_min_version = "1.2"
                			tls_max_version = "1.3"
                			cipher_list = "DEFAULT"
                			fragment_size = %7$d
                			%10$s
                		}
                		tls {
                			tls = tls-common
                		}
                	}
                }
                server default {
                	listen {
                		type = auth
                		ipaddr = %8$s
                		port = %2$d
                	}
                	authorize {
                		eap {
                			ok = return
                		}
                	}
                	authenticate {
                		eap
                	}
                }
                """.formatted(dir, port, secret, ca, cert, key, fragmentSize, listenAddress, clientAddress, crls);
    }

    @Override
    public void close() {
        process.close();
    }
}
