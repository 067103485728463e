package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tls.TpmCsr;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.PasswordRequiredException;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth csr}: a PKCS#10 certificate request signed inside the TPM. */
@Command(name = "csr", mixinStandardHelpOptions = true,
        description = {"Write a PKCS#10 certificate request for a TPM key, signed inside the TPM.",
            "Check with: openssl req -in req.pem -verify -noout -text"})
final class CsrCommand implements Callable<Integer> {
    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Key file (TSS2 PRIVATE KEY), persistent handle 0x81xxxxxx or keystore:PATH (FAPI keystore).")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's password (if it has one).")
    Path passwordFile;

    @Option(names = "--subject", required = true, paramLabel = "DN", description = "Subject, e.g. \"CN=device-1,O=Example\".")
    String subject;

    @Option(names = "--san", paramLabel = "LIST", description = "Subject alternative names: dns:NAME,ip:ADDR,email:A,uri:U")
    String san;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "req.pem", description = "Where to write the request (PEM).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var sans = TpmCsr.parseSans(san);
        String pem;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            pem = TpmCsr.toPem(TpmCsr.create(keys, KeyRef.load(keys, key, passwordFile, List.of(), keystore), subject, sans));
        } catch (PasswordRequiredException e) {
            throw new TpmException(key + " is password protected: give its password with --password-file F ("
                    + e.getMessage() + ")", e);
        }
        Files.writeString(out, pem);
        return 0;
    }
}
