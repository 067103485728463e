package org.tpmauth.attest.client;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.tpmauth.attest.service.EvidenceAttribute;
import org.tpmauth.attest.service.KeyEvidence;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.tls.TpmContentSigner;
import org.tpmauth.tls.TpmCsr;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * Renewal over EST simplereenroll: TLS with the current certificate and its TPM key, a PKCS#10 request
 * for the same key that carries the evidence (certify, quote, boot log, AK certificate) with the nonce
 * derived from this connection's exporter.
 */
public final class Renewer {
    private final ServiceClient client;

    public Renewer(ServiceClient client) {
        this.client = client;
    }

    /** Whether two thirds of the certificate's lifetime are gone at {@code now}. */
    public static boolean due(X509Certificate cert, Instant now) {
        Instant from = cert.getNotBefore().toInstant();
        Duration life = Duration.between(from, cert.getNotAfter().toInstant());
        return !now.isBefore(from.plus(life.multipliedBy(2).dividedBy(3)));
    }

    /** The renewal request: {@code key}'s PKCS#10 request, signed by it, with the current subject and the evidence. */
    public static PKCS10CertificationRequest request(TpmKeys keys, TpmKey key, X509Certificate current,
            ASN1Encodable evidenceAttribute) {
        return new JcaPKCS10CertificationRequestBuilder(
                X500Name.getInstance(current.getSubjectX500Principal().getEncoded()), key.publicKey())
                .addAttribute(EvidenceAttribute.ID_AA_ATTESTATION, evidenceAttribute)
                .build(new TpmContentSigner(keys, key, TpmCsr.hashFor(key)));
    }

    /**
     * @param current  the current certificate (chain, leaf first) of {@code key}
     * @param eventLog the boot event log, or null
     * @throws ServiceRefusal with the service's verdict
     */
    public X509Certificate renew(TpmKeys keys, TpmKey key, List<X509Certificate> current, TpmKey ak,
            X509Certificate akCertificate, List<TpmsPcrSelection> pcrs, byte[] eventLog) throws IOException {
        Tpm tpm = keys.tpm();
        try (BoundConnection c = client.connect(new TlsIdentity(TpmPrivateKey.of(keys, key), current))) {
            KeyEvidence evidence = MachineEvidence.collect(tpm, key, ak, ChannelBinding.nonce(c.exporter()), pcrs, eventLog);
            PKCS10CertificationRequest csr = request(keys, key, current.get(0),
                    EvidenceAttribute.bundle(evidence, akCertificate));
            EnrollmentResponse response = client.est(c).simpleEnroll(true, csr, null);
            X509CertificateHolder[] certs = org.bouncycastle.est.ESTService.storeToArray(response.getStore());
            if (certs.length == 0) {
                throw new IOException("the service answered the renewal without a certificate");
            }
            return new JcaX509CertificateConverter().getCertificate(certs[0]);
        } catch (ESTException e) {
            throw e.getStatusCode() >= 400 ? ServiceClient.refusal(e) : e;
        } catch (CertificateException e) {
            throw new IOException("the renewed certificate cannot be read: " + e.getMessage(), e);
        }
    }
}
