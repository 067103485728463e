package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.types.WireChecks.everyTruncationFails;
import static org.tpmauth.tss.types.WireChecks.failsIn;
import static org.tpmauth.tss.types.WireChecks.hex;

import org.tpmauth.tss.types.WireChecks;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCap;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmSu;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmsClockInfo;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmuAttest;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** Command layouts (Part 3) and response parsing, without a TPM. */
class CommandWireTest {
    private static final TpmsNvPublic NV = new TpmsNvPublic(0x01500001, TpmAlg.SHA256,
            TpmaNv.OWNERREAD | TpmaNv.OWNERWRITE, new byte[0], 8);
    private static final List<TpmsPcrSelection> PCRS = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 1, 2));

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(new Startup(TpmSu.CLEAR), TpmCc.Startup, List.of(), 0, "0000"),
                Arguments.of(new Shutdown(TpmSu.STATE), TpmCc.Shutdown, List.of(), 0, "0001"),
                Arguments.of(new SelfTest(true), TpmCc.SelfTest, List.of(), 0, "01"),
                Arguments.of(new GetCapability(TpmCap.TPM_PROPERTIES, TpmPt.PT_FIXED, 8), TpmCc.GetCapability,
                        List.of(), 0, "00000006 00000100 00000008"),
                Arguments.of(new StirRandom(hex("0102")), TpmCc.StirRandom, List.of(), 0, "0002 0102"),
                Arguments.of(new PcrRead(PCRS), TpmCc.PCR_Read, List.of(), 0, "00000001 000b 03 070000"),
                Arguments.of(new PcrExtend(7, List.of(new TpmtHa(TpmAlg.SHA1, new byte[20]))), TpmCc.PCR_Extend,
                        List.of(7), 1, "00000001 0004" + "00".repeat(20)),
                Arguments.of(new NvDefineSpace(TpmHandles.RH_OWNER, hex("aa"), NV), TpmCc.NV_DefineSpace,
                        List.of(TpmHandles.RH_OWNER), 1, "0001aa 000e 01500001 000b 00020002 0000 0008"),
                Arguments.of(new NvUndefineSpace(TpmHandles.RH_OWNER, 0x01500001), TpmCc.NV_UndefineSpace,
                        List.of(TpmHandles.RH_OWNER, 0x01500001), 1, ""),
                Arguments.of(new NvReadPublic(0x01500001), TpmCc.NV_ReadPublic, List.of(0x01500001), 0, ""),
                Arguments.of(new NvRead(0x01500001, 0x01500001, 8, 2), TpmCc.NV_Read, List.of(0x01500001, 0x01500001),
                        1, "0008 0002"),
                Arguments.of(new NvWrite(TpmHandles.RH_OWNER, 0x01500001, hex("cafe"), 6), TpmCc.NV_Write,
                        List.of(TpmHandles.RH_OWNER, 0x01500001), 1, "0002cafe 0006"),
                Arguments.of(new Clear(TpmHandles.RH_LOCKOUT), TpmCc.Clear, List.of(TpmHandles.RH_LOCKOUT), 1, ""),
                Arguments.of(new HierarchyChangeAuth(TpmHandles.RH_OWNER, hex("5eed")), TpmCc.HierarchyChangeAuth,
                        List.of(TpmHandles.RH_OWNER), 1, "00025eed"),
                Arguments.of(new DictionaryAttackLockReset(TpmHandles.RH_LOCKOUT), TpmCc.DictionaryAttackLockReset,
                        List.of(TpmHandles.RH_LOCKOUT), 1, ""),
                Arguments.of(new Hash(hex("616263"), TpmAlg.SHA256, TpmHandles.RH_OWNER), TpmCc.Hash, List.of(), 0,
                        "0003616263 000b 40000001"),
                Arguments.of(new HashSequenceStart(hex("99"), TpmAlg.SHA1), TpmCc.HashSequenceStart, List.of(), 0,
                        "000199 0004"),
                Arguments.of(new SequenceUpdate(0x80000001, hex("01")), TpmCc.SequenceUpdate, List.of(0x80000001), 1,
                        "000101"),
                Arguments.of(new SequenceComplete(0x80000001, hex(""), TpmHandles.RH_NULL), TpmCc.SequenceComplete,
                        List.of(0x80000001), 1, "0000 40000007"),
                Arguments.of(new Quote(0x81000010, hex("0a0b"), TpmtSigScheme.ecdsa(TpmAlg.SHA256), PCRS), TpmCc.Quote,
                        List.of(0x81000010), 1, "00020a0b 0018000b 00000001000b03070000"),
                Arguments.of(new Certify(0x81000011, 0x81000010, hex(""), TpmtSigScheme.NULL), TpmCc.Certify,
                        List.of(0x81000011, 0x81000010), 2, "0000 0010"),
                Arguments.of(new MakeCredential(0x81010001, hex("01"), hex("000b")), TpmCc.MakeCredential,
                        List.of(0x81010001), 0, "000101 0002000b"),
                Arguments.of(new ActivateCredential(0x81000020, 0x81010001, hex("aa"), hex("bbcc")),
                        TpmCc.ActivateCredential, List.of(0x81000020, 0x81010001), 2, "0001aa 0002bbcc"));
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void commandLayout(TpmCommand<?> command, int code, List<Integer> handles, int authHandles, String parameters) {
        assertEquals(code, command.commandCode());
        assertEquals(handles, command.handles());
        assertEquals(authHandles, command.authHandleCount());
        assertEquals(parameters.replace(" ", ""), hex(TpmWriter.marshal(command::marshalParameters)));
        assertEquals(command instanceof HashSequenceStart ? 1 : 0, command.responseHandleCount());
    }

    @Test
    void hierarchyChangeAuthIsASecretThatTheSessionsEncrypt() {
        HierarchyChangeAuth change = new HierarchyChangeAuth(TpmHandles.RH_OWNER, hex("5eed"));
        assertTrue(change.carriesSecret());
        assertEquals(TpmaSession.DECRYPT, change.encryptableParameters());
        assertFalse(change.toString().contains("5eed"), change.toString());
    }

    /** Reads a response parameter area as Tpm.execute does: inside the "TPM2_X response" context. */
    private static <R> TpmReader.Reading<R> reading(TpmCommand<R> command) {
        return in -> in.struct(TpmCc.nameOf(command.commandCode()) + " response",
                r -> command.readResponse(new int[] {0x80000002}, r));
    }

    private static <R> R parse(TpmCommand<R> command, byte[] parameters) {
        return WireChecks.readAll(parameters, reading(command));
    }

    private static final byte[] TICKET_NULL = hex("8024 40000007 0000");

    @Test
    void hashResponsesCarryAHashcheckTicket() {
        byte[] response = TpmWriter.marshal(w -> w.sized(new byte[32]).bytes(TICKET_NULL));
        Hash.Response r = parse(new Hash(new byte[0], TpmAlg.SHA256, TpmHandles.RH_NULL), response);
        assertArrayEquals(TICKET_NULL, r.validation().toBytes());
        assertEquals(TpmSt.HASHCHECK, r.validation().tag());
        assertTrue(r.validation().isNull());
        everyTruncationFails(response, reading(new Hash(new byte[0], TpmAlg.SHA256, 0)));

        byte[] ticket = hex("8024 40000001 0003 a1a2a3");
        SequenceComplete.Response done = parse(new SequenceComplete(1, new byte[0], TpmHandles.RH_OWNER),
                TpmWriter.marshal(w -> w.sized(new byte[20]).bytes(ticket)));
        assertEquals(TpmHandles.RH_OWNER, done.validation().hierarchy());
        assertArrayEquals(hex("a1a2a3"), done.validation().digest());
        assertArrayEquals(ticket, done.validation().toBytes(), "the ticket goes back to TPM2_Sign unchanged");

        byte[] wrongTag = TpmWriter.marshal(w -> w.sized(new byte[32]).u16(TpmSt.CREATION).u32(0).u16(0));
        failsIn("TPMT_TK_HASHCHECK", "tag 0x8021, expected 0x8024", wrongTag,
                reading(new SequenceComplete(1, new byte[0], 0)));
        failsIn("TPMT_TK_HASHCHECK", "tag 0x8021, expected 0x8024", wrongTag, reading(new Hash(new byte[0],
                TpmAlg.SHA256, 0)));
        assertEquals(0x80000002, parse(new HashSequenceStart(new byte[0], TpmAlg.SHA1), new byte[0]).sequenceHandle());
    }

    @Test
    void pcrReadResponseMustHaveOneValuePerSelectedPcr() {
        byte[] good = TpmWriter.marshal(w -> {
            w.u32(5);
            TpmsPcrSelection.writeList(w, List.of(TpmsPcrSelection.of(TpmAlg.SHA1, 3, 4)));
            w.u32(2).sized(new byte[20]).sized(new byte[20]);
        });
        PcrRead.Response r = parse(new PcrRead(PCRS), good);
        assertEquals(List.of(3, 4), List.copyOf(r.byBank().get(TpmAlg.SHA1).keySet()));
        everyTruncationFails(good, reading(new PcrRead(PCRS)));

        byte[] oneMissing = TpmWriter.marshal(w -> {
            w.u32(5);
            TpmsPcrSelection.writeList(w, List.of(TpmsPcrSelection.of(TpmAlg.SHA1, 3, 4)));
            w.u32(1).sized(new byte[20]);
        });
        failsIn("TPML_DIGEST", "1 PCR values for 2 selected PCRs", oneMissing,
                reading(new PcrRead(PCRS)));
        byte[] wrongSize = TpmWriter.marshal(w -> {
            w.u32(5);
            TpmsPcrSelection.writeList(w, List.of(TpmsPcrSelection.of(TpmAlg.SHA1, 3)));
            w.u32(1).sized(new byte[32]);
        });
        failsIn("TPML_DIGEST", "not a SHA1 digest", wrongSize, reading(new PcrRead(PCRS)));
    }

    private static byte[] attest(int magic) {
        TpmsAttest a = new TpmsAttest(new byte[0], hex("01"), new TpmsClockInfo(1, 2, 3, true), 4,
                new TpmuAttest.Quote(PCRS, new byte[32]));
        byte[] bytes = a.toBytes();
        bytes[0] = (byte) (magic >>> 24);
        bytes[3] = (byte) magic;
        return bytes;
    }

    @Test
    void quoteResponseKeepsTheSignedBytesAndRefusesForgeries() {
        byte[] attest = attest(TpmsAttest.MAGIC);
        byte[] response = TpmWriter.marshal(w -> w.sized(attest).u16(TpmAlg.NULL.id()));
        Quote quote = new Quote(0x81000010, new byte[0], TpmtSigScheme.NULL, PCRS);
        Quote.Response r = parse(quote, response);
        assertArrayEquals(attest, r.quoted());
        assertEquals(TpmSt.ATTEST_QUOTE, r.attest().type());
        everyTruncationFails(response, reading(quote));

        byte[] forged = TpmWriter.marshal(w -> w.sized(attest(0x00544347)).u16(TpmAlg.NULL.id()));
        failsIn("TPMS_ATTEST", "TPM_GENERATED_VALUE", forged, reading(quote));
        Certify certify = new Certify(1, 2, new byte[0], TpmtSigScheme.NULL);
        failsIn("TPMS_ATTEST", "TPM_GENERATED_VALUE", forged, reading(certify));
    }

    @Test
    void otherResponsesRefuseTruncation() {
        byte[] capability = hex("01 00000008 00000002 0003 0004");
        GetCapability get = new GetCapability(TpmCap.ECC_CURVES, 0, 2);
        assertTrue(parse(get, capability).moreData());
        everyTruncationFails(capability, reading(get));
        failsIn("TPM2_GetCapability response", "TPMI_YES_NO", hex("02 00000008 00000000"),
                reading(get));

        byte[] nvPublic = TpmWriter.marshal(w -> {
            NV.marshalSized(w);
            w.sized(NV.name());
        });
        assertArrayEquals(NV.name(), parse(new NvReadPublic(1), nvPublic).nvName());
        everyTruncationFails(nvPublic, reading(new NvReadPublic(1)));

        byte[] credential = hex("0002aaaa 0003bbbbbb");
        MakeCredential.Response made = parse(new MakeCredential(1, new byte[0], new byte[0]), credential);
        assertArrayEquals(hex("bbbbbb"), made.secret());
        everyTruncationFails(credential, reading(new MakeCredential(1, new byte[0], new byte[0])));
        byte[] oversized = TpmWriter.marshal(w -> w.sized(new byte[65]));
        failsIn("TPM2_ActivateCredential response", "exceeds the maximum 64", oversized,
                reading(new ActivateCredential(1, 2, new byte[0], new byte[0])));
    }

    @Test
    void secretsStayOutOfToString() {
        byte[] secret = hex("5ec2e75ec2e7");
        List<Object> holders = List.of(new StirRandom(secret), new NvWrite(1, 2, secret, 0),
                new NvDefineSpace(1, secret, NV), new HashSequenceStart(secret, TpmAlg.SHA256),
                new MakeCredential(1, secret, new byte[0]), new NvRead.Response(secret),
                new ActivateCredential.Response(secret));
        for (Object o : holders) {
            String s = o.toString().toLowerCase();
            assertFalse(s.contains("5ec2") || s.contains("[b@") || s.contains("94, -62"), s);
        }
    }

    @Test
    void pcrExtendRefusesTooManyDigests() {
        List<TpmtHa> many = java.util.Collections.nCopies(TpmtHa.MAX_DIGEST_VALUES + 1, new TpmtHa(TpmAlg.SHA1,
                new byte[20]));
        assertThrows(IllegalArgumentException.class, () -> new PcrExtend(0, many));
    }
}
