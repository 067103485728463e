package org.tpmauth.vpn.wireguard;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * Brings a WireGuard interface up with its sealed key: unseal (through the TPM's encrypted session; the
 * key is checked against the public key recorded in the file), the key to the interface, link up, through
 * {@link WgControl}: no process started for a userspace WireGuard (its configuration socket, SIOCSIFFLAGS), one
 * ({@code wg}) for the kernel's. On any failure the interface is left with no private key and down, so a machine
 * that fails its policy is off the tunnel rather than on it with a stale key.
 */
public final class WireGuardBringUp {
    private final Sealing sealing;
    private final WgControl wg;

    public WireGuardBringUp(Sealing sealing, WgControl wg) {
        this.sealing = sealing;
        this.wg = wg;
    }

    /** Returns the public key the interface now has. */
    public String up(Tss2KeyFile sealed, byte[] password, String iface) {
        String expected = SealedWireGuardKey.publicKey(sealed);
        try {
            WireGuardKey key = unseal(sealed, password, iface); // checked against expected
            try {
                wg.setPrivateKey(iface, key);
            } finally {
                key.destroy();
            }
            wg.linkUp(iface);
            return expected;
        } catch (RuntimeException e) {
            closeDoor(iface, e);
            throw e;
        }
    }

    /**
     * Runs the bring-up's code once or more without touching an interface, so that a resident service's first
     * request finds it loaded and compiled: reads the state of the loopback link first (JNA's start, which the
     * link needs: 0.6-2 s here under load), then seals a random throwaway secret to PCR 16's current value (the
     * same policy-session unseal as a sealed key) and unseals it, reading the link's state again each round.
     * After the first round it goes on while {@code more} says so (stop it when requests come: they share the TPM).
     * Nothing is persisted; the throwaway object lives in the TPM only while it is unsealed.
     *
     * @return the rounds run
     */
    public int warmUp(int maxRounds, BooleanSupplier more) {
        wg.isUp("lo");
        byte[] secret = new byte[WireGuardKey.SIZE];
        new SecureRandom().nextBytes(secret);
        Tss2KeyFile probe;
        try {
            probe = sealing.seal(secret, new byte[0], List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 16)));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        int rounds = 0;
        do {
            Arrays.fill(sealing.unseal(probe, new byte[0]), (byte) 0);
            wg.isUp("lo");
            rounds++;
        } while (rounds < maxRounds && more.getAsBoolean());
        return rounds;
    }

    private WireGuardKey unseal(Tss2KeyFile sealed, byte[] password, String iface) {
        try {
            return SealedWireGuardKey.unseal(sealing, sealed, password);
        } catch (TpmException e) {
            throw new WireGuardException("the WireGuard key stays sealed: " + e.getMessage() + "; " + iface
                    + " is left down with no private key", e);
        }
    }

    /** No key, link down; what fails here is added to the original error, never hides it. */
    private void closeDoor(String iface, RuntimeException cause) {
        for (Runnable step : new Runnable[] {() -> wg.clearPrivateKey(iface), () -> wg.linkDown(iface)}) {
            try {
                step.run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
