package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;

/**
 * What a {@code TPM2} KeyStore loads: the TPM (its {@link TpmKeys}) and where the keys and their
 * certificate chains are. The key password (TPM authValue) is the one given to
 * {@link KeyStore#getKey(String, char[])} (empty or {@code null} for keys without one).
 *
 * <p>Keystore directory layout: for each alias, {@code DIR/<alias>.key.pem} (a TSS2 PRIVATE KEY file)
 * and {@code DIR/<alias>.crt.pem} (the certificate chain in PEM, the key's own certificate first).
 * Files that do not form such a pair are ignored.
 */
public record TpmKeyStoreParameter(TpmKeys keys, List<Source> sources) implements KeyStore.LoadStoreParameter {
    public TpmKeyStoreParameter {
        sources = List.copyOf(sources);
    }

    public TpmKeyStoreParameter(TpmKeys keys, Source... sources) {
        this(keys, List.of(sources));
    }

    @Override
    public KeyStore.ProtectionParameter getProtectionParameter() {
        return null;
    }

    /** Where one or more keys with their chains come from. */
    public sealed interface Source {
    }

    /** A TSS2 key file and its chain. */
    public record KeyFile(String alias, Tss2KeyFile key, List<X509Certificate> chain) implements Source {
        public KeyFile {
            chain = List.copyOf(chain);
        }
    }

    /** A key persisted at {@code handle} (0x81xxxxxx) and its chain. */
    public record Persistent(String alias, int handle, List<X509Certificate> chain) implements Source {
        public Persistent {
            chain = List.copyOf(chain);
        }
    }

    /** A keystore directory of {@code <alias>.key.pem} + {@code <alias>.crt.pem} pairs. */
    public record Directory(Path dir) implements Source {
    }

    /** A key file and a PEM chain file. */
    public static KeyFile keyFile(String alias, Path key, Path chain) throws IOException {
        return new KeyFile(alias, Tss2KeyFile.read(key), Certificates.read(chain));
    }
}
