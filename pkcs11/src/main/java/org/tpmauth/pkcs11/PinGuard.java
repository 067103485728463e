package org.tpmauth.pkcs11;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts wrong PINs for the whole token and refuses further tries before the TPM's dictionary-attack
 * lockout would lock every key: it allows {@code allowed} failures, and forgets one failure per
 * {@code interval}, as the TPM does with its lockout counter.
 */
final class PinGuard {
    private final int allowed;
    private final Duration interval;
    private final Clock clock;
    private int failures;
    private Instant lastChange;

    PinGuard(int allowed, Duration interval, Clock clock) {
        if (allowed < 1 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a PIN guard needs at least one try and a positive interval");
        }
        this.allowed = allowed;
        this.interval = interval;
        this.clock = clock;
        this.lastChange = clock.instant();
    }

    /**
     * For a TPM that locks out after {@code maxAuthFail} failures and forgets one each
     * {@code lockoutInterval} seconds: one try fewer than the TPM allows, so the owner keeps the last.
     */
    static PinGuard forTpm(int maxAuthFail, int lockoutInterval) {
        return new PinGuard(Math.max(1, maxAuthFail - 1), Duration.ofSeconds(Math.max(1, lockoutInterval)),
                Clock.systemUTC());
    }

    /** Throws CKR_PIN_LOCKED, saying how long to wait, when no try is left. */
    synchronized void check() throws Pkcs11Exception {
        forget();
        if (failures >= allowed) {
            long wait = Duration.between(clock.instant(), lastChange.plus(interval)).toSeconds() + 1;
            throw new Pkcs11Exception(Pkcs11.CKR_PIN_LOCKED, failures + " wrong PINs: PIN tries are refused for "
                    + wait + " s more (so that the TPM's dictionary-attack lockout never locks every key)");
        }
    }

    synchronized void failed() {
        forget();
        failures++;
        lastChange = clock.instant();
    }

    synchronized boolean locked() {
        forget();
        return failures >= allowed;
    }

    private void forget() {
        Instant now = clock.instant();
        long forgiven = Duration.between(lastChange, now).dividedBy(interval);
        if (forgiven > 0 && failures > 0) {
            failures = (int) Math.max(0, failures - forgiven);
            lastChange = lastChange.plus(interval.multipliedBy(forgiven));
        } else if (failures == 0) {
            lastChange = now;
        }
    }
}
