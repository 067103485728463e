package org.tpmauth.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tpmauth.attest.client.ServiceClient;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.types.TpmsPcrSelection;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What attest enroll and attest renew share: the service, its CA, the TPM key, the boot log and PCRs. */
final class AttestClientOptions {
    /** Where Linux exposes the firmware's boot event log. */
    static final Path KERNEL_EVENTLOG = Path.of("/sys/kernel/security/tpm0/binary_bios_measurements");

    @Option(names = "--server", required = true, paramLabel = "https://HOST:PORT", description = "The attestation service.")
    URI server;

    @Option(names = "--server-ca", required = true, paramLabel = "ca.pem", description = "CA certificate(s) of the service's TLS certificate.")
    Path serverCa;

    @Option(names = "--key", required = true, paramLabel = "key.pem", description = "The TPM key to certify (TSS2 key file, 0x81... handle or keystore:PATH).")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--eventlog", paramLabel = "FILE", description = "Boot event log (default: the kernel's, " + "/sys/kernel/security/tpm0/binary_bios_measurements).")
    Path eventlog;

    @Option(names = "--pcrs", paramLabel = "SEL", description = "PCRs to quote (default sha256:0-15).")
    String pcrs;

    ServiceClient client() throws IOException {
        return new ServiceClient(server, Certificates.read(serverCa));
    }

    java.util.List<TpmsPcrSelection> selection() {
        return pcrs == null ? org.tpmauth.attest.client.MachineEvidence.DEFAULT_PCRS : PcrSelections.parse(pcrs);
    }

    byte[] eventLog() throws IOException {
        return readEventLog(eventlog);
    }

    /** The boot event log in {@code file}, or the kernel's when null, with what to do when it cannot be read. */
    static byte[] readEventLog(Path file) throws IOException {
        Path log = file == null ? KERNEL_EVENTLOG : file;
        if (!Files.isReadable(log)) {
            throw new IllegalArgumentException("cannot read the boot event log " + log + "; run as root or give --eventlog FILE");
        }
        return Files.readAllBytes(log);
    }

    /** The file next to {@code cert} with {@code suffix}: cert.pem -> cert-ak.pem. */
    static Path sibling(Path cert, String suffix) {
        String name = cert.getFileName().toString();
        String base = name.endsWith(".pem") ? name.substring(0, name.length() - 4) : name;
        return cert.resolveSibling(base + suffix);
    }

    /** Writes {@code text} to {@code target} atomically: a reader sees the old file or the new one, never part. */
    static void replaceAtomically(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
