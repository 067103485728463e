package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.bound.CertificateCheck;
import picocli.CommandLine.Option;

/** Who a server lets in: client certificates from {@code --ca}, and with {@code --require-attestation} their evidence. */
final class ClientAdmissionOptions {
    @Option(names = "--ca", required = true, paramLabel = "ca.pem",
            description = "CA certificates for client (and AK) certificates.")
    Path ca;

    @Option(names = "--require-attestation", paramLabel = "ref.json",
            description = "Let in only clients whose connection-bound evidence passes this reference state.")
    Path requireAttestation;

    CertificateCheck clients() throws IOException {
        return new CertificateCheck(Certificates.read(ca));
    }

    /** The reference state clients' evidence must pass, or null when none is required. */
    RefState referenceState() throws IOException {
        return requireAttestation == null ? null : RefState.fromJson(Files.readString(requireAttestation));
    }
}
