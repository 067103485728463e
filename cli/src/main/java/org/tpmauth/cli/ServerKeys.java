package org.tpmauth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The private keys a server command signs with (tls serve, mqtt broker, attest server): a PEM key in software,
 * or a TPM key (TSS2 key file, 0x81... handle, keystore:PATH) in the one TPM this opens, only when one of the
 * keys needs it.
 */
final class ServerKeys implements AutoCloseable {
    private final Tpm tpm;
    private final TpmKeys keys;
    private final KeystoreKeyOptions keystore;

    private ServerKeys(Tpm tpm, KeystoreKeyOptions keystore) {
        this.tpm = tpm;
        this.keys = tpm == null ? null : new TpmKeys(tpm);
        this.keystore = keystore;
    }

    /** For {@code files}: the TPM of the global --tcti is opened when one of them is a TPM key. */
    static ServerKeys open(CommandSpec spec, KeystoreKeyOptions keystore, Path... files) throws IOException {
        for (Path file : files) {
            if (isTpmKey(file)) {
                return new ServerKeys(TpmOptions.open(spec), keystore);
            }
        }
        return new ServerKeys(null, keystore);
    }

    /** A key in a TPM: a TSS2 key file, a persistent handle (0x81...) or keystore:PATH; else a PEM private key. */
    static boolean isTpmKey(Path key) throws IOException {
        String name = key.toString();
        if (name.startsWith(KeyRef.KEYSTORE) || name.toLowerCase().startsWith("0x81")) {
            return true;
        }
        return Files.readString(key, StandardCharsets.ISO_8859_1).contains("-----BEGIN TSS2 PRIVATE KEY-----");
    }

    /** The PEM private key in {@code file}, or the TPM key it names, signing in this TPM. */
    PrivateKey privateKey(Path file) throws IOException {
        return isTpmKey(file) ? TpmPrivateKey.of(keys, KeyRef.load(keys, file.toString(), null, List.of(), keystore))
                : PemKeys.readKeyPair(file).getPrivate();
    }

    /** The key in {@code key} with the certificate chain in {@code chain}, for a TLS server. */
    TlsIdentity identity(Path key, Path chain) throws IOException {
        return new TlsIdentity(privateKey(key), Certificates.read(chain));
    }

    @Override
    public void close() {
        if (keys != null) {
            keys.close();
            tpm.close();
        }
    }
}
