package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.types.WireChecks.assertRejected;
import static org.tpmauth.tss.types.WireChecks.everyTruncationFails;
import static org.tpmauth.tss.types.WireChecks.hex;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.types.WireChecks;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_Policy* layouts (Part 3) and their response parsing, without a TPM. */
class PolicyCommandsWireTest {
    private static final int SESSION = 0x03000000;
    private static final byte[] REF = {'r', 'e', 'f'};

    private static String params(TpmCommand<?> command) {
        return hex(TpmWriter.marshal(command::marshalParameters));
    }

    private static <R> TpmReader.Reading<R> reading(TpmCommand<R> command) {
        return in -> in.struct(TpmCc.nameOf(command.commandCode()) + " response",
                r -> command.readResponse(new int[0], r));
    }

    @Test
    void layouts() {
        assertEquals("0000" + "00000001" + "000b" + "03" + "810000",
                params(new PolicyPCR(SESSION, new byte[0], List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7)))));
        assertEquals("0000015d", params(new PolicyCommandCode(SESSION, TpmCc.Sign))); // TPM_CC_Sign
        assertEquals("00000002" + "0001aa" + "0001bb", params(new PolicyOR(SESSION, List.of(new byte[] {(byte) 0xaa},
                new byte[] {(byte) 0xbb}))));
        PolicySecret secret = new PolicySecret(TpmHandles.RH_OWNER, SESSION, new byte[0], new byte[0], REF, -1);
        assertEquals("0000" + "0000" + "0003726566" + "ffffffff", params(secret));
        assertEquals(List.of(TpmHandles.RH_OWNER, SESSION), secret.handles());
        assertEquals(1, secret.authHandleCount());
        PolicySigned signed = new PolicySigned(0x80000001, SESSION, new byte[0], new byte[0], REF, 0,
                new TpmtSignature.Ecc(TpmAlg.ECDSA, TpmAlg.SHA256, new byte[] {1}, new byte[] {2}));
        assertEquals("0000" + "0000" + "0003726566" + "00000000" + "0018" + "000b" + "000101" + "000102",
                params(signed));
        assertEquals(0, signed.authHandleCount());
        assertEquals("0001aa" + "0003726566" + "0002000b" + "8022" + "40000007" + "0000",
                params(new PolicyAuthorize(SESSION, new byte[] {(byte) 0xaa}, REF, new byte[] {0, 0x0b},
                        new TpmtTicket(TpmSt.VERIFIED, TpmHandles.RH_NULL, new byte[0]))));
        PolicyNV nv = new PolicyNV(0x01500001, 0x01500001, SESSION, new byte[] {3, 4}, 2, PolicyCounterTimer.EO_EQ);
        assertEquals("00020304" + "0002" + "0000", params(nv));
        assertEquals(List.of(0x01500001, 0x01500001, SESSION), nv.handles());
        assertEquals(1, nv.authHandleCount());
        assertEquals("0001ff" + "0008" + "0007",
                params(new PolicyCounterTimer(SESSION, new byte[] {(byte) 0xff}, 8, PolicyCounterTimer.EO_UNSIGNED_GE)));
        assertEquals("", params(new PolicyAuthValue(SESSION)));
        assertEquals(TpmaSession.ENCRYPT, new PolicyGetDigest(SESSION).encryptableParameters());
    }

    @Test
    void policySecretResponseCarriesATimeoutAndAnAuthTicket() {
        PolicySecret command = new PolicySecret(TpmHandles.RH_OWNER, SESSION, new byte[0], new byte[0], REF, -1);
        byte[] response = hex("0008 0000000000001000" + "8023 40000001 0002 abcd");
        PolicyTicketResponse r = WireChecks.readAll(response, reading(command));
        assertArrayEquals(hex("0000000000001000"), r.timeout());
        assertEquals(TpmSt.AUTH_SECRET, r.policyTicket().tag());
        assertArrayEquals(hex("abcd"), r.policyTicket().digest());
        everyTruncationFails(response, reading(command));
    }

    @Test
    void malformedTicketResponsesAreRejected() {
        PolicySecret secret = new PolicySecret(TpmHandles.RH_OWNER, SESSION, new byte[0], new byte[0], REF, 0);
        // a PolicySigned ticket in a PolicySecret response
        assertRejected(hex("0000" + "8025 40000007 0000"), reading(secret), "TPMT_TK_AUTH");
        // a timeout longer than a UINT64
        assertTrue(assertRejected(hex("0009 000000000000000000" + "8023 40000007 0000"), reading(secret),
                "TPM2_PolicySecret response").getMessage().contains("9"));
        PolicySigned signed = new PolicySigned(0x80000001, SESSION, new byte[0], new byte[0], REF, 0,
                new TpmtSignature.Ecc(TpmAlg.ECDSA, TpmAlg.SHA256, new byte[0], new byte[0]));
        assertRejected(hex("0000" + "8023 40000007 0000"), reading(signed), "TPMT_TK_AUTH");
    }

    @Test
    void policyGetDigestResponse() {
        byte[] response = hex("0003 010203");
        assertArrayEquals(hex("010203"), WireChecks.readAll(response, reading(new PolicyGetDigest(SESSION)))
                .policyDigest());
        everyTruncationFails(response, reading(new PolicyGetDigest(SESSION)));
        assertRejected(hex("0041" + "00".repeat(65)), reading(new PolicyGetDigest(SESSION)),
                "TPM2_PolicyGetDigest response");
    }
}
