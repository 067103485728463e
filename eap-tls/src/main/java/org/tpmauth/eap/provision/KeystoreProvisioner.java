package org.tpmauth.eap.provision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmCsr;
import org.tpmauth.tls.TpmKeyStoreParameter;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmHandles;

/**
 * Puts one identity into the token's keystore directory (the layout of tls-auth's TpmKeyStoreParameter:
 * {@code NAME.key} + {@code NAME.crt}): creates the TPM key if it is not there, makes a CSR
 * signed inside the TPM, or takes the issued certificate after checking it belongs to the key.
 */
public final class KeystoreProvisioner {
    private final TpmKeys keys;
    private final Path keystore;

    public KeystoreProvisioner(TpmKeys keys, Path keystore) {
        this.keys = keys;
        this.keystore = keystore;
    }

    public Path keyFile(String alias) {
        return new TpmKeyStoreParameter.Directory(keystore).keyFile(checkedAlias(alias));
    }

    public Path certificateFile(String alias) {
        return new TpmKeyStoreParameter.Directory(keystore).certificateFile(checkedAlias(alias));
    }

    /** The alias's key file, created (no password) with {@code algorithm} if it does not exist; true if new. */
    public boolean ensureKey(String alias, KeyAlgorithm algorithm) throws IOException {
        Path file = keyFile(alias);
        if (Files.exists(file)) {
            return false;
        }
        Files.createDirectories(keystore);
        keys.create(algorithm, new byte[0], TpmHandles.RH_OWNER).writePem(file);
        return true;
    }

    /** A PKCS#10 request for the alias's key, subject CN=identity, signed in the TPM (PEM). */
    public String csr(String alias, String identity) throws IOException {
        TpmKey key = keys.load(Tss2KeyFile.read(keyFile(alias)), new byte[0]);
        try {
            return TpmCsr.toPem(TpmCsr.create(keys, key, "CN=" + identity, List.of()));
        } finally {
            keys.unload(key);
        }
    }

    /** Copies the issued certificate (chain) next to the key, after checking that it certifies that key. */
    public void installCertificate(String alias, Path certificate) throws IOException {
        List<X509Certificate> chain = Certificates.read(certificate);
        if (chain.isEmpty()) {
            throw new IOException(certificate + " holds no certificate");
        }
        TpmKey loaded = keys.load(Tss2KeyFile.read(keyFile(alias)), new byte[0]);
        PublicKey key = loaded.publicKey();
        keys.unload(loaded);
        try {
            Certificates.requireMatch(alias, key, chain.get(0));
        } catch (Certificates.KeyMismatchException e) {
            throw new IOException(e.getMessage() + " (was it issued for " + keyFile(alias) + "'s CSR?)", e);
        }
        Files.copy(certificate, certificateFile(alias), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String checkedAlias(String alias) {
        if (!alias.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a connection name used as keystore alias is letters, digits, "
                    + "'.', '_' and '-', not '" + alias + "'");
        }
        return alias;
    }
}
