package org.tpmauth.pkcs11;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * FreeRADIUS 3.2 on 127.0.0.1 for EAP-TLS (a minimal raddb: TLS 1.2 and 1.3, client certificates from
 * one CA, a software server key from the test CA), and eapol_test runs against it, with the client key
 * in the token (pkcs11: URIs) or in a file.
 */
final class Radius implements AutoCloseable {
    static final String SECRET = "tpmauth-radius-secret";

    final int port;
    final Path work;
    private final Process process;

    private Radius(Path work, int port, Process process) {
        this.work = work;
        this.port = port;
        this.process = process;
    }

    /** Starts FreeRADIUS in {@code work} with a server key issued by the keystore's test CA. */
    static Radius start(Path work, TestKeystore store) throws Exception {
        store.issueSoftware(work, "radius");
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path raddb = Files.createDirectories(work.resolve("raddb"));
        Files.createDirectories(raddb.resolve("run"));
        Files.writeString(raddb.resolve("radiusd.conf"), """
                prefix = /usr
                raddbdir = %s
                confdir = ${raddbdir}
                logdir = ${raddbdir}
                run_dir = ${raddbdir}/run
                libdir = /usr/lib/freeradius
                pidfile = ${run_dir}/radiusd.pid
                security {
                	allow_core_dumps = no
                }
                client local {
                	ipaddr = 127.0.0.1
                	secret = %s
                }
                modules {
                	eap {
                		default_eap_type = tls
                		tls-config tls-common {
                			private_key_file = %s
                			certificate_file = %s
                			ca_file = %s
                			tls_min_version = "1.2"
                			tls_max_version = "1.3"
                		}
                		tls {
                			tls = tls-common
                		}
                	}
                }
                server default {
                	listen {
                		type = auth
                		ipaddr = 127.0.0.1
                		port = %d
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
                """.formatted(raddb, SECRET, work.resolve("radius.key"), work.resolve("radius.pem"), store.caPem, port));
        Path log = work.resolve("radius.log");
        Process process = Programs.start(work, Map.of(), "radius.log", "freeradius", "-X", "-d", raddb.toString());
        for (int i = 0; i < 400 && !Files.readString(log).contains("Ready to process requests"); i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("freeradius exited: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new Radius(work, port, process);
    }

    /**
     * eapol_test with {@code globals} and the network block's {@code credentials} lines,
     * {@code reauths} re-authentications after the first; TLS 1.3 or 1.2.
     */
    Programs.Result eapol(String name, String globals, String credentials, String tls, Path ca, int reauths,
            Map<String, String> env) throws IOException {
        Path conf = work.resolve("eapol-" + name + "-" + tls + ".conf");
        Files.writeString(conf, globals + """
                network={
                    key_mgmt=IEEE8021X
                    eap=TLS
                    identity="%s"
                    ca_cert="%s"
                %s    phase1="%s"
                    eapol_flags=0
                }
                """.formatted(name, ca, credentials.indent(4),
                tls.equals("1.3") ? "tls_disable_tlsv1_3=0" : "tls_disable_tlsv1_3=1"));
        return Programs.run(work, env, "eapol_test", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                String.valueOf(port), "-s", SECRET, "-r", String.valueOf(reauths), "-t", "20");
    }

    /** The network block lines that take the client certificate and key from tpmauth's token. */
    static String tokenCredentials(String alias) {
        return "client_cert=\"pkcs11:token=tpmauth;object=" + alias + ";type=cert\"\n"
                + "private_key=\"pkcs11:token=tpmauth;object=" + alias + ";type=private\"\n";
    }

    /**
     * The global lines of a config whose key is in the token: libp11's engine loaded by path (only then
     * does wpa_supplicant pass pkcs11_module_path on) and p11-kit's client module.
     */
    static final String TOKEN_GLOBALS = "pkcs11_engine_path=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so\n"
            + "pkcs11_module_path=" + Programs.CLIENT_MODULE + "\n";

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
