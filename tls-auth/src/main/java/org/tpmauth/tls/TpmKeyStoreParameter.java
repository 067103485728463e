package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import org.tpmauth.tss.fapi.FapiKeystore;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;

/**
 * What a {@code TPM2} KeyStore loads: the TPM (its {@link TpmKeys}) and where the keys and their
 * certificate chains are. The key password (TPM authValue) is the one given to
 * {@link KeyStore#getKey(String, char[])} (empty or {@code null} for keys without one).
 *
 * <p>Keystore directory layout: for each alias, {@code DIR/<alias>.key} (a TSS2 PRIVATE KEY file)
 * and {@code DIR/<alias>.crt.pem} (the certificate chain in PEM, the key's own certificate first).
 * Files that do not form such a pair are ignored. Keys of a FAPI keystore come by path ({@link FapiKey}).
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

    /**
     * A key of a tpm2-tss FAPI keystore by its path (e.g. /HS/SRK/vpn), anywhere in the keystore's hierarchy
     * and under any JSON policy (satisfied at each use with the keystore's callbacks), and its chain. The
     * keystore must load into this parameter's {@link TpmKeys} ({@code new FapiKeystore(config, keys)}).
     */
    public record FapiKey(String alias, FapiKeystore keystore, String path, List<X509Certificate> chain)
            implements Source {
        public FapiKey {
            chain = List.copyOf(chain);
        }

        /** The key at {@code path} with the certificate the keystore holds for it (tss2_setcertificate), alias its name. */
        public static FapiKey of(FapiKeystore keystore, String path) throws IOException {
            String pem = keystore.certificate(path);
            if (pem.isBlank()) {
                throw new IOException("the keystore holds no certificate for " + path + "; add one (tss2_setcertificate, "
                        + "FapiKeystore.setCertificate) or give the chain");
            }
            return new FapiKey(keystore.path(path).name(), keystore, path, Certificates.parse(pem, "the certificate of "
                    + path));
        }
    }

    /**
     * A keystore directory of {@code NAME.key} (TSS2 PRIVATE KEY PEM) + {@code NAME.crt} (the certificate,
     * then its chain, PEM) pairs; {@code NAME.key.pem} + {@code NAME.crt.pem} pairs are read too.
     */
    public record Directory(Path dir) implements Source {
        /** Key file suffix -> certificate file suffix: the directory layout, then the older one. */
        private static final java.util.Map<String, String> LAYOUTS = java.util.Map.of(KEY_SUFFIX, CERTIFICATE_SUFFIX,
                ".key.pem", ".crt.pem");

        /** Every key file that has its certificate file beside it, sorted by file name. */
        public List<KeyFile> pairs() throws IOException {
            List<Path> files;
            try (java.util.stream.Stream<Path> listing = java.nio.file.Files.list(dir)) {
                files = listing.sorted().toList();
            }
            List<KeyFile> pairs = new java.util.ArrayList<>();
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                for (java.util.Map.Entry<String, String> layout : LAYOUTS.entrySet()) {
                    if (fileName.endsWith(layout.getKey())) {
                        String name = fileName.substring(0, fileName.length() - layout.getKey().length());
                        Path chain = dir.resolve(name + layout.getValue());
                        if (java.nio.file.Files.exists(chain)) {
                            pairs.add(TpmKeyStoreParameter.keyFile(name, file, chain));
                        }
                    }
                }
            }
            return pairs;
        }

        /** The key file that holds {@code name}'s key, in either layout. */
        public java.util.Optional<Path> existingKeyFile(String name) {
            return LAYOUTS.keySet().stream().map(suffix -> dir.resolve(name + suffix))
                    .filter(java.nio.file.Files::exists).findFirst();
        }

        /** The key file of {@code name} in the layout this directory is written in. */
        public Path keyFile(String name) {
            return dir.resolve(name + KEY_SUFFIX);
        }

        /** The certificate (and chain) file of {@code name}. */
        public Path certificateFile(String name) {
            return dir.resolve(name + CERTIFICATE_SUFFIX);
        }
    }

    /** The keystore directory's file names: NAME.key and NAME.crt. */
    public static final String KEY_SUFFIX = ".key";
    public static final String CERTIFICATE_SUFFIX = ".crt";

    /** A key file and a PEM chain file. */
    public static KeyFile keyFile(String alias, Path key, Path chain) throws IOException {
        return new KeyFile(alias, Tss2KeyFile.read(key), Certificates.read(chain));
    }
}
