package org.tpmauth.cli;

import java.nio.file.Path;
import org.tpmauth.attest.client.AttestedTlsClient;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Option;

/** The evidence options of tls connect --attest and mqtt --attest: the AK, its certificate, the boot log. */
final class AttestEvidenceOptions {
    @Option(names = "--ak", paramLabel = "ak.pem", description = "With --attest: the AK key file.")
    Path ak;

    @Option(names = "--ak-cert", paramLabel = "ak-cert.pem", description = "With --attest: the AK certificate "
            + "(default: <cert>-ak-cert.pem, as attest enroll writes it).")
    Path akCert;

    @Option(names = "--eventlog", paramLabel = "FILE", description = "With --attest: the boot event log (default: the kernel's).")
    Path eventlog;

    /** The TPM side of evidence bound to a connection, for the machine whose certificate is {@code cert}. */
    AttestedTlsClient.Attester attester(Tpm tpm, TpmKeys keys, Path cert) throws Exception {
        if (ak == null) {
            throw new IllegalArgumentException("--attest needs --ak (the AK key file)");
        }
        Path akCertFile = akCert != null ? akCert : AttestClientOptions.sibling(cert, "-ak-cert.pem");
        return new AttestedTlsClient.Attester(tpm, KeyRef.load(keys, ak.toString(), null),
                Certificates.read(akCertFile).get(0), MachineEvidence.DEFAULT_PCRS,
                AttestClientOptions.readEventLog(eventlog));
    }
}
