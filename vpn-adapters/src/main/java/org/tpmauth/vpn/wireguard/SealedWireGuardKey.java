package org.tpmauth.vpn.wireguard;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * A WireGuard private key sealed in the TPM: a TSS2 sealed-data key file (2.23.133.10.1.5) whose
 * {@code description} field carries the public key, so that {@code tpmauth wireguard pubkey} and peers'
 * configuration need no unseal. Curve25519 is no TPM algorithm, so the key cannot live in the TPM the
 * way TLS keys do; sealing means it exists outside only between unseal and {@code wg set}.
 */
public final class SealedWireGuardKey {
    /** The description of a sealed WireGuard key: this prefix, then the base64 public key. */
    static final String DESCRIPTION_PREFIX = "WireGuard public key ";

    private SealedWireGuardKey() {
    }

    /**
     * Seals {@code key} with {@code password} (may be empty) and, unless {@code pcrs} is empty, a policy on
     * those PCRs' current values, or, with {@code authorizedBy}, under any PCR policy that key signs.
     */
    public static Tss2KeyFile seal(Sealing sealing, WireGuardKey key, byte[] password, List<TpmsPcrSelection> pcrs,
            PublicKey authorizedBy) {
        byte[] raw = key.raw();
        try {
            return sealing.seal(raw, password, pcrs, authorizedBy).withDescription(DESCRIPTION_PREFIX + key.publicKey());
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** The public key recorded at sealing time, read without the TPM. */
    public static String publicKey(Tss2KeyFile sealed) {
        if (sealed.type() != Tss2KeyFile.KeyType.SEALED) {
            throw new IllegalArgumentException("the file holds " + sealed.type() + ", not a sealed WireGuard key");
        }
        Optional<String> pub = sealed.description().filter(d -> d.startsWith(DESCRIPTION_PREFIX))
                .map(d -> d.substring(DESCRIPTION_PREFIX.length()))
                .filter(WireGuardKey::isPublicKey);
        return pub.orElseThrow(() -> new IllegalArgumentException("the sealed file carries no WireGuard public key "
                + "(its description should be '" + DESCRIPTION_PREFIX + "<base64>'); was it made by "
                + "`tpmauth wireguard seal`?"));
    }

    /**
     * Unseals the key; the TPM refuses when the policy (PCRs, password) does not hold. The result is
     * checked against the recorded public key, so a file whose description was altered is caught.
     */
    public static WireGuardKey unseal(Sealing sealing, Tss2KeyFile sealed, byte[] password) {
        String expected = publicKey(sealed);
        byte[] raw = sealing.unseal(sealed, password);
        try {
            if (raw.length != WireGuardKey.SIZE) {
                throw new WireGuardException("the sealed data is " + raw.length + " bytes, not a " + WireGuardKey.SIZE
                        + "-byte WireGuard key");
            }
            WireGuardKey key = WireGuardKey.of(raw);
            if (!key.publicKey().equals(expected)) {
                key.destroy();
                throw new WireGuardException("the unsealed key does not match the public key recorded in the file ("
                        + expected + "); the file's description was changed");
            }
            return key;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
