package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.tpmauth.tss.types.TpmCc;

/**
 * A signed policy: one element of a TSS2 key file's {@code [3] authPolicy} field,
 * {@code TPMAuthPolicy ::= SEQUENCE { name [0] EXPLICIT UTF8String OPTIONAL, policy [1] EXPLICIT SEQUENCE OF
 * TPMPolicy }}. {@code policy} lists the policy commands whose digest the signer approved (PolicyPCR,
 * PolicyAuthValue), then a TPM2_PolicyAuthorize carrying the signer's public key, the policyRef and the
 * signature over H(approvedPolicy || policyRef).
 *
 * <p>The same structure on its own is tpmauth's {@code policy.sig} file: PEM with the label
 * {@value #PEM_LABEL} around the DER of one TPMAuthPolicy, so that it can be copied into a key file's
 * {@code [3]} field as it is.
 *
 * @param name   a name for people (e.g. "firmware 1.7"), used in messages only
 * @param policy the approved commands followed by the TPM2_PolicyAuthorize
 */
public record TpmAuthPolicy(Optional<String> name, List<TpmPolicy> policy) {
    /** The PEM label of a {@code policy.sig} file. */
    public static final String PEM_LABEL = "TPMAUTH SIGNED POLICY";

    /**
     * @throws IllegalArgumentException unless the policy ends with its only TPM2_PolicyAuthorize
     */
    public TpmAuthPolicy {
        Objects.requireNonNull(name, "name");
        policy = List.copyOf(policy);
        String problem = problem(policy);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    static String problem(List<TpmPolicy> policy) {
        if (policy.isEmpty() || policy.get(policy.size() - 1).commandCode() != TpmCc.PolicyAuthorize) {
            return "a signed policy ends with TPM2_PolicyAuthorize";
        }
        if (policy.stream().filter(p -> p.commandCode() == TpmCc.PolicyAuthorize).count() > 1) {
            return "a signed policy has exactly one TPM2_PolicyAuthorize, at its end";
        }
        return null;
    }

    /** The commands whose policy digest was signed (all but the final TPM2_PolicyAuthorize). */
    public List<TpmPolicy> approved() {
        return policy.subList(0, policy.size() - 1);
    }

    /** The final TPM2_PolicyAuthorize with the signer, policyRef and signature. */
    public TpmPolicy authorization() {
        return policy.get(policy.size() - 1);
    }

    /** Reads a {@code policy.sig} file. */
    public static TpmAuthPolicy read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return fromPem(new String(in.readNBytes(Tss2KeyFile.MAX_FILE_SIZE + 1),
                    StandardCharsets.ISO_8859_1));
        }
    }

    /** Parses the PEM of a {@code policy.sig} file. */
    public static TpmAuthPolicy fromPem(String pem) throws KeyFileFormatException {
        return Tss2KeyFileCodec.authPolicyFromPem(pem);
    }

    /** The PEM of a {@code policy.sig} file, ending with a newline. */
    public String toPem() {
        return Tss2KeyFileCodec.authPolicyToPem(this);
    }

    @Override
    public String toString() {
        return "signed policy" + name.map(n -> " '" + n + "'").orElse("") + " " + approved() + " "
                + authorization();
    }
}
