package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.List;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmKeyManager;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.PasswordRequiredException;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The TLS identity options of tls connect and mqtt: the TPM key, its certificate, and the CA to trust. */
final class TlsIdentityOptions {
    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Key file (TSS2 PRIVATE KEY), persistent handle 0x81xxxxxx or keystore:PATH (FAPI keystore).")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's password (if it has one).")
    Path passwordFile;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "The key's certificate (chain).")
    Path cert;

    @Option(names = "--ca", required = true, paramLabel = "ca.pem", description = "CA certificates to trust for the server.")
    Path ca;

    /**
     * Rethrows {@code e} as "KEY is password protected: give --password-file" when the TPM refused the key
     * for want of its password somewhere inside the TLS stack's exception.
     */
    Exception explainMissingPassword(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof PasswordRequiredException p) {
                return new TpmException(key + " is password protected: give its password with --password-file F ("
                        + p.getMessage() + ")", e);
            }
        }
        return e;
    }

    /** The key and certificate for Bouncy Castle's TLS protocol classes (connections with bound evidence). */
    TlsIdentity tlsIdentity(TpmKeys keys) throws Exception {
        return new TlsIdentity(TpmPrivateKey.of(keys, load(keys)), Certificates.read(cert));
    }

    /** Loads the key and checks it against the certificate, before any connection. */
    TpmKeyManager keyManager(TpmKeys keys) throws Exception {
        return TpmKeyManager.of("tpm", TpmPrivateKey.of(keys, load(keys)), Certificates.read(cert));
    }

    /** The key, loaded into {@code keys}. */
    TpmKey load(TpmKeys keys) throws java.io.IOException {
        return KeyRef.load(keys, key, passwordFile, List.of(), keystore);
    }
}
