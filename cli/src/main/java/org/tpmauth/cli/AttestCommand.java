package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.tss.keys.KeyFileFormatException;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import picocli.CommandLine.Command;

/** {@code tpmauth attest ...}: remote attestation, for the machine and for the verifier. */
@Command(name = "attest", mixinStandardHelpOptions = true,
        description = {"Remote attestation: the endorsement key and its certificate, attestation keys enrolled by "
            + "credential activation, quotes over PCRs, boot and IMA event logs, reference states, and a verifier "
            + "that names every check that failed."},
        subcommands = {AttestEkCommand.class, AttestAkCommand.class, AttestMakeCredentialCommand.class,
            AttestActivateCredentialCommand.class, AttestQuoteCommand.class, AttestVerifyCommand.class,
            AttestEventlogCommand.class, AttestImaCommand.class, AttestRefstateCommand.class, AttestServerCommand.class,
            AttestEnrollCommand.class, AttestRenewCommand.class, AttestRevokeCommand.class})
final class AttestCommand {
    private AttestCommand() {
    }

    /**
     * A public key from a PEM file: PUBLIC KEY (SubjectPublicKeyInfo), CERTIFICATE (its key), or a TSS2
     * key file (its public part).
     */
    static PublicKey readPublicKey(Path file) throws IOException {
        return readPublicArea(file).toPublicKey();
    }

    /**
     * The AK's public area from a TSS2 key file, or from a PEM public key or certificate, whose key
     * counts as an AK (restricted signing, any scheme): enrollment bound it to the TPM by its Name.
     */
    static TpmtPublic readPublicArea(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        String text = new String(data, java.nio.charset.StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN TSS2 PRIVATE KEY-----")) {
            try {
                Tss2KeyFile key = Tss2KeyFile.read(data);
                return TpmtPublic.readSized(new TpmReader(key.pubkey()));
            } catch (KeyFileFormatException e) {
                throw new IllegalArgumentException(file + " is not a usable TSS2 key file: " + e.getMessage(), e);
            }
        }
        List<java.security.cert.X509Certificate> certs = EkCertificateVerifier.readCertificates(data);
        PublicKey key;
        if (!certs.isEmpty()) {
            key = certs.get(0).getPublicKey();
        } else {
            try (PemReader pem = new PemReader(new java.io.StringReader(text))) {
                PemObject o = pem.readPemObject();
                if (o == null || !o.getType().equals("PUBLIC KEY")) {
                    throw new IllegalArgumentException(file + " holds no PUBLIC KEY, CERTIFICATE or TSS2 PRIVATE KEY PEM");
                }
                X509EncodedKeySpec spec = new X509EncodedKeySpec(o.getContent());
                try {
                    key = KeyFactory.getInstance("RSA").generatePublic(spec);
                } catch (java.security.GeneralSecurityException notRsa) {
                    try {
                        key = KeyFactory.getInstance("EC").generatePublic(spec);
                    } catch (java.security.GeneralSecurityException e) {
                        throw new IllegalArgumentException(file + " holds neither an RSA nor an EC public key", e);
                    }
                }
            }
        }
        return TpmtPublic.ofPublicKey(key, TpmAlg.SHA256, AttestationKeys.REQUIRED_ATTRIBUTES | TpmaObject.USER_WITH_AUTH);
    }

    /** A boot event log from a file; a malformed one is a usage error naming the file, event and offset. */
    static EventLog readEventLog(Path file) throws IOException {
        try {
            return EventLog.parse(Files.readAllBytes(file));
        } catch (EventLogFormatException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static byte[] hex(String value, String option) {
        try {
            return HexFormat.of().parseHex(value.startsWith("0x") ? value.substring(2) : value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + value + "' is not hex: " + e.getMessage());
        }
    }

    static void refuseOverwrite(Path out, boolean force) {
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists; remove it or add --force");
        }
    }
}
