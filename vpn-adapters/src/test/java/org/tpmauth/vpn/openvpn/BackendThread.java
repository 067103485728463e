package org.tpmauth.vpn.openvpn;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.tpmauth.tls.TpmPrivateKey;
import java.security.cert.X509Certificate;

/** An {@link OpenVpnBackend} running on its own thread, its log collected for waiting and assertions. */
final class BackendThread implements AutoCloseable {
    final OpenVpnBackend backend;
    private final StringBuffer log = new StringBuffer();
    private final Thread thread;

    BackendThread(ManagementEndpoint endpoint, boolean listen, TpmPrivateKey key, List<X509Certificate> chain,
            byte[] managementPassword) {
        backend = new OpenVpnBackend(endpoint, listen, key, chain, managementPassword,
                line -> log.append(line).append('\n'));
        thread = new Thread(backend, "openvpn-backend");
        thread.setDaemon(true);
        thread.start();
    }

    String log() {
        return log.toString();
    }

    /** Waits until the log contains {@code text} (after {@code from} characters). */
    void awaitLog(String text, int from) throws InterruptedException {
        Instant end = Instant.now().plus(OpenVpn.TIMEOUT);
        while (log.indexOf(text, from) < 0) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("the backend did not log '" + text + "':\n" + log);
            }
            Thread.sleep(10);
        }
    }

    void awaitLog(String text) throws InterruptedException {
        awaitLog(text, 0);
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        backend.close();
        thread.join(Duration.ofSeconds(5).toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the backend did not stop:\n" + log);
        }
    }
}
