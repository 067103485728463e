package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_Hash and hash sequences on swtpm, checked against JCA digests. */
class HashCommandsTest {
    private static PlatformScratchSwtpm swtpm;
    private static Tpm tpm;

    @BeforeAll
    static void start() {
        swtpm = PlatformScratchSwtpm.start();
        tpm = swtpm.tpm();
    }

    @AfterAll
    static void stop() {
        swtpm.close();
    }

    private static byte[] jca(TpmAlg alg, byte[] data) throws Exception {
        return MessageDigest.getInstance(alg.jcaDigestName()).digest(data);
    }

    /** Tickets are HMACs with the TPM's context integrity hash (TPM_PT_CONTEXT_HASH; SHA-512 on swtpm). */
    private static int proofHmacSize() {
        return TpmAlg.byId(Capabilities.property(tpm, TpmPt.CONTEXT_HASH).orElseThrow()).orElseThrow().digestSize();
    }

    @Test
    void hashEqualsJcaForEachBank() throws Exception {
        byte[] data = "the quick brown fox".getBytes();
        for (TpmAlg alg : new TpmAlg[] {TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512}) {
            Hash.Response r = tpm.execute(new Hash(data, alg, TpmHandles.RH_NULL));
            assertArrayEquals(jca(alg, data), r.outHash(), alg.toString());
            assertEquals(TpmHandles.RH_NULL, r.validationHierarchy());
            assertEquals(0, r.validationDigest().length);
            assertArrayEquals(TpmWriter.marshal(w -> w.u16(0x8024).u32(TpmHandles.RH_NULL).u16(0)), r.validation());
        }
    }

    @Test
    void hashWithAHierarchyGivesATicket() throws Exception {
        byte[] data = new byte[1024];
        new Random(1).nextBytes(data);
        Hash.Response r = tpm.execute(new Hash(data, TpmAlg.SHA256, TpmHandles.RH_OWNER));
        assertArrayEquals(jca(TpmAlg.SHA256, data), r.outHash());
        assertEquals(TpmHandles.RH_OWNER, r.validationHierarchy());
        assertEquals(proofHmacSize(), r.validationDigest().length, "an HMAC with the hierarchy's proof");
        assertArrayEquals(TpmWriter.marshal(w -> w.u16(0x8024).u32(TpmHandles.RH_OWNER).sized(r.validationDigest())),
                r.validation());
        // data that looks like a TPM-made structure gets no ticket
        byte[] forged = TpmWriter.marshal(w -> w.u32(0xff544347).bytes(new byte[8]));
        assertEquals(0, tpm.execute(new Hash(forged, TpmAlg.SHA256, TpmHandles.RH_OWNER)).validationDigest().length);
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
        assertTrue(!start.toString().contains("sequence-auth"));
        int handle = tpm.execute(start).sequenceHandle();
        assertEquals(TpmHandles.HT_TRANSIENT, TpmHandles.type(handle));
        PasswordSession password = PasswordSession.of(auth);
        tpm.execute(new SequenceUpdate(handle, Arrays.copyOfRange(data, 0, 1024)), password);
        tpm.execute(new SequenceUpdate(handle, Arrays.copyOfRange(data, 1024, 2048)), password);
        SequenceComplete.Response r = tpm.execute(new SequenceComplete(handle, Arrays.copyOfRange(data, 2048, 3000),
                TpmHandles.RH_ENDORSEMENT), password);
        assertArrayEquals(jca(TpmAlg.SHA384, data), r.result());
        assertEquals(TpmHandles.RH_ENDORSEMENT, r.validationHierarchy());
        assertEquals(proofHmacSize(), r.validationDigest().length);
        // SequenceComplete flushed the sequence object
        assertThrows(TpmResponseException.class, () -> tpm.execute(new SequenceUpdate(handle, new byte[1]), password));
    }

    @Test
    void sequenceNeedsItsPassword() {
        int handle = tpm.execute(new HashSequenceStart("right".getBytes(), TpmAlg.SHA256)).sequenceHandle();
        try {
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> tpm.execute(new SequenceUpdate(handle, new byte[1]), PasswordSession.of("wrong".getBytes())));
            assertTrue(e.baseCode() == 0x8E || e.baseCode() == 0xA2, Integer.toHexString(e.responseCode()));
        } finally {
            tpm.execute(new FlushContext(handle));
        }
    }

    @Test
    void emptySequenceIsTheHashOfNothing() throws Exception {
        int handle = tpm.execute(new HashSequenceStart(new byte[0], TpmAlg.SHA1)).sequenceHandle();
        SequenceComplete.Response r = tpm.execute(new SequenceComplete(handle, new byte[0], TpmHandles.RH_NULL));
        assertArrayEquals(jca(TpmAlg.SHA1, new byte[0]), r.result());
        assertEquals(0, r.validationDigest().length);
    }
}
