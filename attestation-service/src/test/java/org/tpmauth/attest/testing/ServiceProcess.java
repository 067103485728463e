package org.tpmauth.attest.testing;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tpmauth.attest.service.AttestationServer;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * A fixture's attestation service in a JVM of its own, as a real service runs (it hosts no clients): the
 * benchmark reads this process's CPU time, which then holds only the service's work, its garbage collection
 * and its JIT compilation. The child gets the fixture's CA, TLS identity and boot log through files, the
 * test JVM's options (agents aside: a profiler reaches the child through JDK_JAVA_OPTIONS) and class path;
 * it serves until its standard input closes.
 */
public final class ServiceProcess implements AutoCloseable {
    /** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
    public static final long CLOCK_TICKS = 100;

    private final Process process;
    private final int port;

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code fixture}'s service on {@code database} (path or JDBC URL), its files in a new directory under {@code fixture.dir}. */
    public static ServiceProcess start(ServiceFixture fixture, Path ekRoots, String database, Duration lifetime)
            throws IOException {
        Path files = Files.createTempDirectory(fixture.dir, "service-process");
        Files.write(files.resolve("ca.key"), fixture.ca.key().getEncoded());
        Files.write(files.resolve("ca.crt"), encoded(fixture.ca.certificate()));
        Files.write(files.resolve("tls.key"), fixture.serverTls.key().getEncoded());
        Files.write(files.resolve("tls.crt"), encoded(fixture.serverTls.chain().get(0)));
        Files.write(files.resolve("boot.log"), fixture.log);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-agentpath") && !option.startsWith("-agentlib") && !option.startsWith("-javaagent")) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServiceProcess.class.getName(),
                files.toString(), ekRoots.toString(), database, lifetime.toString()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("port ")) {
                return new ServiceProcess(process, Integer.parseInt(line.substring(5).trim()));
            }
        }
        process.destroyForcibly();
        throw new IOException("the service process ended before it listened (exit " + waitFor(process) + ")");
    }

    public int port() {
        return port;
    }

    /** The process's CPU time so far (every thread, user + system), in clock ticks. */
    public long cpuTicks() throws IOException {
        return ticks(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat")));
    }

    /**
     * CPU time (clock ticks) of the process's threads by kind: the TLS front end (handshakes, and the HTTP
     * requests and renewals it serves on their connections), the garbage collector, the JIT compilers, the
     * rest (the database's own threads, the JVM's).
     */
    public Map<String, Long> cpuTicksByThreadKind() throws IOException {
        Map<String, Long> kinds = new LinkedHashMap<>();
        for (String k : List.of("tls_frontend", "gc", "jit", "other")) {
            kinds.put(k, 0L);
        }
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue; // the thread ended
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String kind = comm.startsWith("attest-tls") ? "tls_frontend"
                        : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "gc"
                        : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "jit" : "other";
                kinds.merge(kind, ticks(stat), Long::sum);
            }
        }
        return kinds;
    }

    /** utime + stime of a /proc stat line. */
    private static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Closes the child's standard input, which ends it (its server and database closed). */
    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        if (waitFor(process) != 0) {
            throw new IOException("the service process ended with " + process.exitValue());
        }
    }

    private static int waitFor(Process process) {
        try {
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    private static byte[] encoded(X509Certificate cert) throws IOException {
        try {
            return cert.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException(e);
        }
    }

    /** The child: {@code FILES EK_ROOTS DATABASE LIFETIME}; prints "port N" when it listens, ends when stdin closes. */
    public static void main(String[] args) throws Exception {
        Path files = Path.of(args[0]);
        KeyFactory ec = KeyFactory.getInstance("EC");
        PrivateKey caKey = ec.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(files.resolve("ca.key"))));
        PrivateKey tlsKey = ec.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(files.resolve("tls.key"))));
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        X509Certificate caCert = (X509Certificate) x509.generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(files.resolve("ca.crt"))));
        X509Certificate tlsCert = (X509Certificate) x509.generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(files.resolve("tls.crt"))));
        EventLog log = EventLog.parse(Files.readAllBytes(files.resolve("boot.log")));
        try (Database database = Database.open(args[2]);
                AttestationServer server = AttestationServer.start(ServiceFixture.settings(new TlsIdentity(tlsKey,
                        List.of(tlsCert)), caKey, caCert, Path.of(args[1]), ServiceFixture.refState(log), database,
                        Duration.parse(args[3]), List.of()))) {
            System.out.println("port " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serves until the parent closes our standard input
            }
        }
    }
}
