package org.tpmauth.tss.sessions;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSigScheme;

/**
 * ECDSA P-256 signing on swtpm with a password: in clear (secure sessions off), through the facade's
 * salted HMAC session (the password only as HMAC key; the digest is no secret, so it is not
 * encrypted), and through an explicit salted session that also AES-CFB encrypts the digest. A
 * measurement, not a test: it prints medians and asserts nothing.
 * Run with {@code -Dtpmauth.bench=true -Dtest=SessionBenchmark}.
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class SessionBenchmark {
    /** Enough calls for the JIT to compile the session crypto (it runs ~10x slower before). */
    private static final int WARMUP = 10_000;
    private static final int ITERATIONS = 500;
    private static final byte[] PASSWORD = "bench-password".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void signWithAndWithoutSecureSessions() {
        TimedTcti timed = new TimedTcti(SWTPM.openTpm().tcti());
        Tpm tpm = new Tpm(timed);
        int srk = SessionKeys.eccPrimary(tpm);
        SessionKeys.Key key = SessionKeys.signer(tpm, srk, PASSWORD);
        Sign sign = new Sign(key.handle(), new byte[32], TpmtSigScheme.ecdsa(TpmAlg.SHA256));
        PasswordSession password = PasswordSession.of(PASSWORD);
        HmacSession encrypted = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(srk));
        // the password in clear; the facade's default; an explicit salted session encrypting the digest too
        String[] names = {"password in clear", "default salted HMAC session", "salted session + AES-CFB"};
        Session[] auths = {password, password, encrypted.withAuth(PASSWORD, true)};
        boolean[] secure = {false, true, true};
        long[][] totals = new long[3][];
        long[][] inTpm = new long[3][];
        for (int mode = 0; mode < 3; mode++) {
            tpm.setSecureSessions(secure[mode]);
            for (int i = 0; i < WARMUP; i++) {
                tpm.execute(sign, auths[mode]);
            }
        }
        for (int round = 0; round < 3; round++) { // interleaved, so that drift hits all alike
            for (int mode = 0; mode < 3; mode++) {
                tpm.setSecureSessions(secure[mode]);
                long[] times = new long[ITERATIONS];
                long[] transport = new long[ITERATIONS];
                for (int i = 0; i < ITERATIONS; i++) {
                    long before = timed.nanos;
                    long t0 = System.nanoTime();
                    tpm.execute(sign, auths[mode]);
                    times[i] = System.nanoTime() - t0;
                    transport[i] = timed.nanos - before;
                }
                totals[mode] = concat(totals[mode], times);
                inTpm[mode] = concat(inTpm[mode], transport);
            }
        }
        encrypted.close();
        System.out.printf("ECDSA P-256 sign on swtpm, medians of %d samples:%n", totals[0].length);
        for (int mode = 0; mode < 3; mode++) {
            System.out.printf("  %-28s %7.1f us (transport %7.1f us), ratio %.3f%n", names[mode],
                    median(totals[mode]) / 1e3, median(inTpm[mode]) / 1e3, median(totals[mode]) / median(totals[0]));
        }
    }

    /** Sums the time spent in the transport, i.e. in swtpm and on the socket. */
    private static final class TimedTcti implements Tcti {
        private final Tcti target;
        private long nanos;

        TimedTcti(Tcti target) {
            this.target = target;
        }

        @Override
        public byte[] transmit(byte[] command) {
            long t0 = System.nanoTime();
            try {
                return target.transmit(command);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }

        @Override
        public String describe() {
            return "timed:" + target.describe();
        }

        @Override
        public void close() {
            // the target belongs to the extension
        }
    }

    private static long[] concat(long[] a, long[] b) {
        if (a == null) {
            return b;
        }
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
