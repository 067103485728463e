package org.tpmauth.vpn.wireguard;

import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.Tss2KeyFile;

/**
 * Brings a WireGuard interface up with its sealed key: unseal (through the TPM's encrypted session),
 * {@code wg set ... private-key /dev/stdin}, link up, and a check that the interface now has the
 * sealed key's public key. On any failure the interface is left with no private key and down, so a
 * machine that fails its policy is off the tunnel rather than on it with a stale key.
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
        wg.requireInterface(iface);
        try {
            WireGuardKey key = unseal(sealed, password, iface);
            try {
                wg.setPrivateKey(iface, key);
            } finally {
                key.destroy();
            }
            wg.linkUp(iface);
            String actual = wg.publicKey(iface).orElse("(none)");
            if (!actual.equals(expected)) {
                throw new WireGuardException(iface + " reports public key " + actual + " after `wg set`, not the sealed "
                        + "key's " + expected);
            }
            return actual;
        } catch (RuntimeException e) {
            closeDoor(iface, e);
            throw e;
        }
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
