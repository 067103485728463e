package org.tpmauth.attestation.ek;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tpmauth.attestation.ek.EkVerdict.Status;

/**
 * Checks EK certificates against a set of manufacturer roots and intermediates: builds the chain by
 * issuer name and signature, checks every certificate's validity period, runs PKIX path validation
 * (no revocation: EK certificates rarely carry reachable CRLs) and compares the certified key with
 * the TPM's EK.
 *
 * <p>EK-certificate quirks the EK Credential Profile allows are accepted: an empty subject with the
 * TPM's identity in a critical subjectAltName (directoryName with TCG attributes), the TCG
 * extended key usage 2.23.133.8.1, subject directory attributes, and critical TCG extensions
 * (2.23.133.*), which no general-purpose validator knows.
 */
public final class EkCertificateVerifier {
    private static final String SUBJECT_DIRECTORY_ATTRIBUTES = "2.5.29.9";
    private static final String TCG_ARC = "2.23.133.";
    private static final int MAX_CHAIN = 8;

    private final List<X509Certificate> roots;
    private final List<X509Certificate> intermediates;

    public EkCertificateVerifier(Collection<X509Certificate> roots, Collection<X509Certificate> intermediates) {
        this.roots = List.copyOf(roots);
        this.intermediates = List.copyOf(intermediates);
    }

    /**
     * Trusts the certificates in a directory (PEM, possibly several per file, or DER; any file name):
     * self-signed ones as roots, the others as intermediates. Files that hold no certificate are skipped.
     */
    public static EkCertificateVerifier fromDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory of root and intermediate certificates");
        }
        List<X509Certificate> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                all.addAll(readCertificates(Files.readAllBytes(f)));
            }
        }
        return new EkCertificateVerifier(all.stream().filter(EkCertificateVerifier::selfSigned).toList(),
                all.stream().filter(c -> !selfSigned(c)).toList());
    }

    /** Every certificate in PEM or DER bytes; none when the bytes hold no certificate. */
    public static List<X509Certificate> readCertificates(byte[] data) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(data))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            return List.of();
        }
    }

    /** This verifier with more intermediates, e.g. the chain a TPM keeps in NV 0x01C00100-0x01C001FF. */
    public EkCertificateVerifier withIntermediates(Collection<X509Certificate> more) {
        List<X509Certificate> all = new ArrayList<>(intermediates);
        all.addAll(more);
        return new EkCertificateVerifier(roots, all);
    }

    /** Checks {@code ekCertificate} now, and that it certifies {@code ekPublicKey} (null: skip that check). */
    public EkVerdict verify(X509Certificate ekCertificate, PublicKey ekPublicKey) {
        return verify(ekCertificate, ekPublicKey, new Date());
    }

    /** Checks {@code ekCertificate} at time {@code at}. */
    public EkVerdict verify(X509Certificate ekCertificate, PublicKey ekPublicKey, Date at) {
        List<X509Certificate> chain = new ArrayList<>(List.of(ekCertificate));
        if (ekPublicKey != null && !Arrays.equals(ekCertificate.getPublicKey().getEncoded(), ekPublicKey.getEncoded())) {
            return new EkVerdict(Status.KEY_MISMATCH, "the certificate " + describe(ekCertificate)
                    + " certifies another public key than this TPM's EK: it belongs to another TPM or another EK type",
                    chain);
        }
        Optional<EkVerdict> unknown = buildChain(chain);
        if (unknown.isPresent()) {
            return unknown.get();
        }
        for (X509Certificate c : chain) {
            try {
                c.checkValidity(at);
            } catch (CertificateExpiredException e) {
                return new EkVerdict(Status.EXPIRED, describe(c) + " expired on " + c.getNotAfter().toInstant(), chain);
            } catch (CertificateNotYetValidException e) {
                return new EkVerdict(Status.NOT_YET_VALID, describe(c) + " is valid only from "
                        + c.getNotBefore().toInstant(), chain);
            }
        }
        try {
            X509Certificate root = chain.get(chain.size() - 1);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            params.setRevocationEnabled(false);
            params.setDate(at);
            params.addCertPathChecker(new EkExtensions());
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                    .generateCertPath(chain.subList(0, chain.size() - 1)), params);
        } catch (CertPathValidatorException e) {
            return new EkVerdict(Status.INVALID, "the chain " + chain.stream().map(EkCertificateVerifier::describe)
                    .collect(Collectors.joining(" <- ")) + " is not valid: " + e.getMessage(), chain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's PKIX validator is not available", e);
        }
        return new EkVerdict(Status.VALID, describe(ekCertificate) + " chains to the trusted root "
                + describe(chain.get(chain.size() - 1)), chain);
    }

    /** Extends {@code chain} up to a trusted root; a verdict when some certificate's issuer is not trusted. */
    private Optional<EkVerdict> buildChain(List<X509Certificate> chain) {
        while (chain.size() <= MAX_CHAIN) {
            X509Certificate last = chain.get(chain.size() - 1);
            Optional<X509Certificate> root = issuerAmong(last, roots);
            if (root.isPresent()) {
                if (!root.get().equals(last)) {
                    chain.add(root.get());
                }
                return Optional.empty();
            }
            Optional<X509Certificate> next = issuerAmong(last, intermediates).filter(c -> !chain.contains(c));
            if (next.isEmpty()) {
                boolean sameName = Stream.concat(roots.stream(), intermediates.stream())
                        .anyMatch(c -> c.getSubjectX500Principal().equals(last.getIssuerX500Principal()));
                return Optional.of(new EkVerdict(Status.UNKNOWN_ISSUER, "no trusted root or intermediate issued "
                        + describe(last) + " (issuer " + last.getIssuerX500Principal().getName() + ")"
                        + (sameName ? ": a trusted certificate has that name but did not sign it (a foreign CA)"
                                : ": add the manufacturer's root and intermediate certificates to the directory"),
                        chain));
            }
            chain.add(next.get());
        }
        return Optional.of(new EkVerdict(Status.INVALID, "the chain is longer than " + MAX_CHAIN + " certificates",
                chain));
    }

    private static Optional<X509Certificate> issuerAmong(X509Certificate cert, List<X509Certificate> candidates) {
        return candidates.stream()
                .filter(c -> c.getSubjectX500Principal().equals(cert.getIssuerX500Principal()))
                .filter(c -> signedBy(cert, c.getPublicKey()))
                .findFirst();
    }

    private static boolean selfSigned(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signedBy(c, c.getPublicKey());
    }

    private static boolean signedBy(Certificate cert, PublicKey key) {
        try {
            cert.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The subject, or for an EK certificate with an empty subject its serial number and issuer. */
    static String describe(X509Certificate c) {
        String subject = c.getSubjectX500Principal().getName();
        return subject.isEmpty() ? "the certificate with serial " + c.getSerialNumber().toString(16) + " from "
                + c.getIssuerX500Principal().getName() : "'" + subject + "'";
    }

    /** Marks the critical extensions the EK Credential Profile allows as handled. */
    private static final class EkExtensions extends PKIXCertPathChecker {
        @Override
        public void init(boolean forward) {
        }

        @Override
        public boolean isForwardCheckingSupported() {
            return true;
        }

        @Override
        public Set<String> getSupportedExtensions() {
            return null;
        }

        @Override
        public void check(Certificate cert, Collection<String> unresolvedCritExts) {
            unresolvedCritExts.removeIf(oid -> oid.equals(SUBJECT_DIRECTORY_ATTRIBUTES) || oid.startsWith(TCG_ARC));
        }
    }
}
