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
 * ECDSA P-256 signing on swtpm with a password: in clear (secure sessions off) versus through the
 * salted, encrypted HMAC session. A measurement, not a test: it prints medians and asserts nothing.
 * Run with {@code -Dtpmauth.bench=true -Dtest=SessionBenchmark}.
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class SessionBenchmark {
    private static final int WARMUP = 2000;
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
        long[][] rounds = new long[2][];
        long[][] tpmTimes = new long[2][];
        for (int round = 0; round < 3; round++) { // interleaved, so that drift hits both alike
            for (int secure = 0; secure < 2; secure++) {
                tpm.setSecureSessions(secure == 1);
                for (int i = 0; i < WARMUP; i++) {
                    tpm.execute(sign, password);
                }
                long[] times = new long[ITERATIONS];
                long[] inTpm = new long[ITERATIONS];
                for (int i = 0; i < ITERATIONS; i++) {
                    long before = timed.nanos;
                    long t0 = System.nanoTime();
                    tpm.execute(sign, password);
                    times[i] = System.nanoTime() - t0;
                    inTpm[i] = timed.nanos - before;
                }
                rounds[secure] = concat(rounds[secure], times);
                tpmTimes[secure] = concat(tpmTimes[secure], inTpm);
            }
        }
        double plain = median(rounds[0]);
        double secure = median(rounds[1]);
        System.out.printf("ECDSA P-256 sign on swtpm, %d samples each: password in clear %.1f us, "
                + "salted AES-CFB HMAC session %.1f us, ratio %.3f; of which in the transport (TPM): %.1f us / %.1f us"
                + "%n", rounds[0].length, plain / 1e3, secure / 1e3, secure / plain, median(tpmTimes[0]) / 1e3,
                median(tpmTimes[1]) / 1e3);
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
