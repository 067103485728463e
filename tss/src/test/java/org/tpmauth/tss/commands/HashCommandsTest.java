package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.testing.LibtpmsExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Hash and hash sequences on the shared in-process TPM, checked against JCA digests; their
 * tickets let a restricted key sign. Every object made here is flushed again.
 */
class HashCommandsTest {
    private final Tpm tpm = LibtpmsExtension.tpm();

    private static byte[] jca(TpmAlg alg, byte[] data) throws Exception {
        return MessageDigest.getInstance(alg.jcaDigestName()).digest(data);
    }

    /** Tickets are HMACs with the TPM's context integrity hash (TPM_PT_CONTEXT_HASH; SHA-512 in libtpms). */
    private int proofHmacSize() {
        return TpmAlg.byId(Capabilities.property(tpm, TpmPt.CONTEXT_HASH).orElseThrow()).orElseThrow().digestSize();
    }

    @Test
    void hashEqualsJcaForEachBank() throws Exception {
        byte[] data = "the quick brown fox".getBytes();
        for (TpmAlg alg : new TpmAlg[] {TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512}) {
            Hash.Response r = tpm.execute(new Hash(data, alg, TpmHandles.RH_NULL));
            assertArrayEquals(jca(alg, data), r.outHash(), alg.toString());
            assertTrue(r.validation().isNull());
            assertEquals(0, r.validation().digest().length);
            assertArrayEquals(TpmWriter.marshal(w -> w.u16(0x8024).u32(TpmHandles.RH_NULL).u16(0)),
                    r.validation().toBytes());
        }
    }

    @Test
    void hashWithAHierarchyGivesATicket() throws Exception {
        byte[] data = new byte[1024];
        new Random(1).nextBytes(data);
        Hash.Response r = tpm.execute(new Hash(data, TpmAlg.SHA256, TpmHandles.RH_OWNER));
        assertArrayEquals(jca(TpmAlg.SHA256, data), r.outHash());
        assertEquals(TpmSt.HASHCHECK, r.validation().tag());
        assertEquals(TpmHandles.RH_OWNER, r.validation().hierarchy());
        assertEquals(proofHmacSize(), r.validation().digest().length, "an HMAC with the hierarchy's proof");
        assertArrayEquals(TpmWriter.marshal(w -> w.u16(0x8024).u32(TpmHandles.RH_OWNER).sized(r.validation().digest())),
                r.validation().toBytes());
        // data that looks like a TPM-made structure gets no ticket
        byte[] forged = TpmWriter.marshal(w -> w.u32(0xff544347).bytes(new byte[8]));
        TpmtTicket none = tpm.execute(new Hash(forged, TpmAlg.SHA256, TpmHandles.RH_OWNER)).validation();
        assertTrue(none.isNull());
        assertEquals(0, none.digest().length);
    }

    @Test
    void hashRefusesMoreThanOneBuffer() {
        assertThrows(TpmResponseException.class, () -> tpm.execute(new Hash(new byte[1025], TpmAlg.SHA256,
                TpmHandles.RH_NULL)));
    }

    @Test
    void sequenceOverManyBuffersEqualsJca() throws Exception {
        byte[] data = new byte[3000];
        new Random(2).nextBytes(data);
        byte[] auth = "sequence-auth".getBytes();
        HashSequenceStart start = new HashSequenceStart(auth, TpmAlg.SHA384);
        assertFalse(start.toString().contains("sequence-auth"));
        int handle = tpm.execute(start).sequenceHandle();
        assertEquals(TpmHandles.HT_TRANSIENT, TpmHandles.type(handle));
        PasswordSession password = PasswordSession.of(auth);
        tpm.execute(new SequenceUpdate(handle, Arrays.copyOfRange(data, 0, 1024)), password);
        tpm.execute(new SequenceUpdate(handle, Arrays.copyOfRange(data, 1024, 2048)), password);
        SequenceComplete.Response r = tpm.execute(new SequenceComplete(handle, Arrays.copyOfRange(data, 2048, 3000),
                TpmHandles.RH_ENDORSEMENT), password);
        assertArrayEquals(jca(TpmAlg.SHA384, data), r.result());
        assertEquals(TpmSt.HASHCHECK, r.validation().tag());
        assertEquals(TpmHandles.RH_ENDORSEMENT, r.validation().hierarchy());
        assertEquals(proofHmacSize(), r.validation().digest().length);
        // SequenceComplete flushed the sequence object
        assertThrows(TpmResponseException.class, () -> tpm.execute(new SequenceUpdate(handle, new byte[1]), password));
    }

    @Test
    void sequenceNeedsItsPassword() {
        int handle = tpm.execute(new HashSequenceStart("right".getBytes(), TpmAlg.SHA256)).sequenceHandle();
        try {
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> tpm.execute(new SequenceUpdate(handle, new byte[1]), PasswordSession.of("wrong".getBytes())));
            // a sequence object is exempt from dictionary-attack protection, so the shared TPM's
            // lockout counter stays as it is
            assertEquals(TpmRc.BAD_AUTH, e.baseCode(), Integer.toHexString(e.responseCode()));
        } finally {
            tpm.execute(new FlushContext(handle));
        }
    }

    @Test
    void emptySequenceIsTheHashOfNothing() throws Exception {
        int handle = tpm.execute(new HashSequenceStart(new byte[0], TpmAlg.SHA1)).sequenceHandle();
        SequenceComplete.Response r = tpm.execute(new SequenceComplete(handle, new byte[0], TpmHandles.RH_NULL));
        assertArrayEquals(jca(TpmAlg.SHA1, new byte[0]), r.result());
        assertTrue(r.validation().isNull());
        assertEquals(0, r.validation().digest().length);
    }

    @Test
    void aRestrictedKeySignsOnlyDigestsWithTheTpmsTicket() throws Exception {
        TpmtPublic template = new TpmtPublic(TpmAlg.SHA256, TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
                | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.USER_WITH_AUTH | TpmaObject.NO_DA
                | TpmaObject.RESTRICTED | TpmaObject.SIGN_ENCRYPT,
                new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdsa(TpmAlg.SHA256), TpmEccCurve.NIST_P256));
        CreatePrimary.Response key = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, template));
        try {
            byte[] data = "attested by a restricted key".getBytes();
            Hash.Response hashed = tpm.execute(new Hash(data, TpmAlg.SHA256, TpmHandles.RH_OWNER));
            int sequence = tpm.execute(new HashSequenceStart(new byte[0], TpmAlg.SHA256)).sequenceHandle();
            SequenceComplete.Response sequenced = tpm.execute(new SequenceComplete(sequence, data,
                    TpmHandles.RH_OWNER));
            assertArrayEquals(hashed.outHash(), sequenced.result());

            TpmResponseException noTicket = assertThrows(TpmResponseException.class, () -> tpm.execute(
                    new Sign(key.objectHandle(), hashed.outHash(), TpmtSigScheme.NULL)));
            assertEquals(TpmRc.TICKET, noTicket.baseCode());
            for (TpmtTicket ticket : List.of(hashed.validation(), sequenced.validation())) {
                TpmtSignature signature = tpm.execute(new Sign(key.objectHandle(), hashed.outHash(),
                        TpmtSigScheme.NULL, ticket)).signature();
                Signature verifier = Signature.getInstance("SHA256withECDSA");
                verifier.initVerify(key.outPublic().toPublicKey());
                verifier.update(data);
                assertTrue(verifier.verify(SignatureEncoding.standard(signature)));
            }
        } finally {
            tpm.execute(new FlushContext(key.objectHandle()));
        }
    }
}
