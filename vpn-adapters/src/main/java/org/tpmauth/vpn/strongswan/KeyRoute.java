package org.tpmauth.vpn.strongswan;

import java.util.HexFormat;
import org.tpmauth.tss.keys.KeyScheme;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;

/** How charon reaches the TPM key: the swanctl secret that names it and the charon settings it needs. */
public sealed interface KeyRoute {
    /** The {@code secrets { token-tpmauth { ... } }} body lines. */
    String secretLines();

    /** The body of DIR/strongswan-tpmauth.conf (settings under {@code charon.plugins}). */
    String charonSettings();

    /**
     * The tpmauth PKCS#11 token through p11-kit's client module: charon loads {@code modulePath} as the
     * pkcs11 plugin module {@code module} and finds the key by its CKA_ID; the token server listens at
     * {@code serverAddress}, which charon reads from P11_KIT_SERVER_ADDRESS.
     */
    record Pkcs11(String module, String modulePath, String serverAddress, byte[] keyId) implements KeyRoute {
        public static final String MODULE = "tpmauth";
        public static final String P11_KIT_CLIENT = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";

        public Pkcs11 {
            keyId = keyId.clone();
        }

        @Override
        public byte[] keyId() {
            return keyId.clone();
        }

        @Override
        public String secretLines() {
            // charon always logs in before signing; a token whose keys have no password accepts any PIN
            return "module = " + module + "\nhandle = " + HexFormat.of().formatHex(keyId)
                    + "\n# the token PIN: empty for keys without a password, else the key password\n"
                    + "# (or the PIN of tpmauth pkcs11 serve --pin-file)\n"
                    + "pin = \"\"\n";
        }

        @Override
        public String charonSettings() {
            return "# charon signs through the tpmauth PKCS#11 token (tpmauth pkcs11 serve); charon's environment needs\n"
                    + "#   P11_KIT_SERVER_ADDRESS=" + serverAddress + "\n"
                    + "# e.g. a systemd drop-in for strongswan.service: [Service] Environment=P11_KIT_SERVER_ADDRESS="
                    + serverAddress + "\n"
                    + "charon {\n  plugins {\n    pkcs11 {\n      load = yes\n      modules {\n        " + module
                    + " {\n          path = " + modulePath + "\n        }\n      }\n    }\n  }\n}\n";
        }
    }

    /**
     * strongSwan's own tpm plugin with the key at a persistent {@code handle}; the plugin opens the TPM
     * through TCTI {@code tctiName} (device, tabrmd or mssim) with {@code tctiOptions}.
     */
    record TpmPlugin(int handle, String tctiName, String tctiOptions) implements KeyRoute {
        public TpmPlugin {
            if (!TpmHandles.isPersistent(handle)) {
                throw new IllegalArgumentException(TpmHandles.hex(handle) + " is not a persistent handle");
            }
            if (!tctiName.equals("device") && !tctiName.equals("tabrmd") && !tctiName.equals("mssim")) {
                throw new IllegalArgumentException("strongSwan's tpm plugin accepts TCTI device, tabrmd or mssim, not '"
                        + tctiName + "'; use --via pkcs11 for other TPMs (swtpm)");
            }
        }

        @Override
        public String secretLines() {
            return "handle = " + Integer.toHexString(handle) + "\n";
        }

        @Override
        public String charonSettings() {
            return "# charon signs with strongSwan's tpm plugin and the key at persistent handle " + TpmHandles.hex(handle)
                    + "\n"
                    + "charon {\n  plugins {\n    tpm {\n      load = yes\n      fips_186_4 = yes\n      tcti {\n"
                    + "        name = " + tctiName + "\n        opts = " + tctiOptions + "\n      }\n    }\n  }\n}\n";
        }

        /**
         * Checks that strongSwan's tpm plugin can sign with this key: a fixed signing scheme (it sends
         * TPM_ALG_NULL, which a NULL-scheme key rejects) and, without a password, noDA (it does not retry
         * after TPM_RC_RETRY or lockout). Throws with what to do otherwise.
         */
        public static void checkUsable(TpmtPublic area, boolean hasPassword) {
            if (!(area.parameters() instanceof TpmuPublicParms.Ecc) && !(area.parameters() instanceof TpmuPublicParms.Rsa)) {
                throw new IllegalArgumentException("the key is not an RSA or EC signing key");
            }
            if (KeyScheme.of(area).isEmpty()) {
                throw new IllegalArgumentException("strongSwan's tpm plugin needs a key with a fixed signing scheme and "
                        + "this key has none: create it with `tpmauth key create --type rsa-2048 --scheme rsassa-sha256` "
                        + "(or --type ec-p256 --scheme ecdsa-sha256), or use --via pkcs11");
            }
            if (!hasPassword && (area.objectAttributes() & TpmaObject.NO_DA) == 0) {
                throw new IllegalArgumentException("strongSwan's tpm plugin needs noDA on a key without a password "
                        + "(it does not retry TPM_RC_RETRY); use --via pkcs11, or a key from `tpmauth key create --scheme ...` "
                        + "without a password, which has noDA");
            }
            if (hasPassword) {
                throw new IllegalArgumentException("the key has a password, which the generated secrets section "
                        + "cannot hold; use --via pkcs11 (with the token's PIN) or a key without a password");
            }
        }
    }
}
