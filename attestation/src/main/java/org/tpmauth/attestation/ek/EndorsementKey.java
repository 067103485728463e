package org.tpmauth.attestation.ek;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.NvRead;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.commands.PolicySecret;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * The endorsement key of one TPM, recreated from its {@link EkTemplate} (TPM2_CreatePrimary under
 * TPM_RH_ENDORSEMENT, whose authorization is assumed empty) and flushed on close.
 */
public final class EndorsementKey implements AutoCloseable {
    /** Bytes per TPM2_NV_Read: below every TPM's TPM_PT_NV_BUFFER_MAX (at least 512 on PC Client TPMs). */
    private static final int NV_CHUNK = 512;

    private final Tpm tpm;
    private final EkTemplate template;
    private final int handle;
    private final TpmtPublic publicArea;

    private EndorsementKey(Tpm tpm, EkTemplate template, int handle, TpmtPublic publicArea) {
        this.tpm = tpm;
        this.template = template;
        this.handle = handle;
        this.publicArea = publicArea;
    }

    /** Recreates the EK of {@code template} and loads it. */
    public static EndorsementKey create(Tpm tpm, EkTemplate template) {
        CreatePrimary.Response r = tpm.execute(new CreatePrimary(TpmHandles.RH_ENDORSEMENT, template.template()));
        return new EndorsementKey(tpm, template, r.objectHandle(), r.outPublic());
    }

    public EkTemplate template() {
        return template;
    }

    /** The transient handle of the loaded EK. */
    public int handle() {
        return handle;
    }

    public TpmtPublic publicArea() {
        return publicArea;
    }

    public PublicKey publicKey() {
        return publicArea.toPublicKey();
    }

    /**
     * The session that authorizes the EK in the USER role (as TPM2_ActivateCredential needs): a policy
     * session that ran PolicySecret(TPM_RH_ENDORSEMENT) for a low-range EK, the empty password for a
     * high-range one. Close a returned {@link PolicySession} if the command it authorizes is not sent.
     */
    public Session userSession() {
        if (template.userWithAuth()) {
            return PasswordSession.EMPTY;
        }
        PolicySession policy = PolicySession.start(tpm, template.nameAlg());
        try {
            policy.run(new PolicySecret(TpmHandles.RH_ENDORSEMENT, policy.handle(), new byte[0], new byte[0],
                    new byte[0], 0));
        } catch (TpmResponseException e) {
            policy.close();
            if (e.baseCode() == TpmRc.AUTH_FAIL || e.baseCode() == TpmRc.BAD_AUTH) {
                throw new TpmException("the endorsement hierarchy has a password; tpmauth uses the EK only with an "
                        + "empty endorsement authorization", e);
            }
            throw e;
        }
        return policy;
    }

    /** The EK certificate the manufacturer stored in NV, if there is one. */
    public Optional<X509Certificate> certificate() {
        return readCertificate(tpm, template.certificateIndex());
    }

    /**
     * Reads an X.509 certificate from an NV index; empty when the index is not defined. Padding after
     * the certificate's DER encoding (some manufacturers fill the index) is ignored.
     *
     * @throws EkCertificateException when the index holds something that is not a certificate
     */
    public static Optional<X509Certificate> readCertificate(Tpm tpm, int nvIndex) {
        TpmsNvPublic nv;
        try {
            nv = tpm.execute(new NvReadPublic(nvIndex)).nvPublic();
        } catch (TpmResponseException e) {
            if (e.baseCode() == TpmRc.HANDLE) {
                return Optional.empty();
            }
            throw e;
        }
        int auth = (nv.attributes() & TpmaNv.AUTHREAD) != 0 ? nvIndex : TpmHandles.RH_OWNER;
        ByteArrayOutputStream data = new ByteArrayOutputStream(nv.dataSize());
        for (int offset = 0; offset < nv.dataSize(); offset += NV_CHUNK) {
            int n = Math.min(NV_CHUNK, nv.dataSize() - offset);
            data.writeBytes(tpm.execute(new NvRead(auth, nvIndex, n, offset)).data());
        }
        try {
            return Optional.of((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(data.toByteArray())));
        } catch (CertificateException e) {
            throw new EkCertificateException(String.format("NV index 0x%08x does not hold an X.509 certificate: %s",
                    nvIndex, e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        tpm.execute(new FlushContext(handle));
    }

    @Override
    public String toString() {
        return "EndorsementKey[" + template + ", " + TpmHandles.hex(handle) + "]";
    }
}
