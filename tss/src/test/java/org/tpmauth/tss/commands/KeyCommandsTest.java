package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tpmauth.tss.types.WireChecks.everyTruncationFails;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.readAll;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsContext;
import org.tpmauth.tss.types.TpmsCreationData;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKdfScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** The handle areas, parameter bytes and response parsing of the key commands, without a TPM. */
class KeyCommandsTest {
    private static final int KEY = 0x80000001;
    private static final TpmtPublic ECC_STORAGE = new TpmtPublic(TpmAlg.SHA256, 0x00030472, new TpmuPublicParms.Ecc(
            TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL));
    private static final String ECC_STORAGE_2B = "001a 0023 000b 00030472 0000 0006 0080 0043 0010 0003 0010 0000 0000";

    /** Reads a response parameter area as Tpm.execute does: inside the command's response context. */
    private static <R> TpmReader.Reading<R> response(TpmCommand<R> command, int... handles) {
        return in -> in.struct(TpmCc.nameOf(command.commandCode()) + " response",
                r -> command.readResponse(handles, r));
    }

    private static byte[] parameters(TpmCommand<?> command) {
        return TpmWriter.marshal(command::marshalParameters);
    }

    private static void assertHandles(TpmCommand<?> command, int code, List<Integer> handles, int auth, int response) {
        assertEquals(code, command.commandCode());
        assertEquals(handles, command.handles());
        assertEquals(auth, command.authHandleCount());
        assertEquals(response, command.responseHandleCount());
    }

    @Test
    void createPrimaryCarriesTheTemplateAndNoCreationExtras() {
        CreatePrimary cmd = new CreatePrimary(TpmHandles.RH_OWNER, ECC_STORAGE);
        assertHandles(cmd, TpmCc.CreatePrimary, List.of(TpmHandles.RH_OWNER), 1, 1);
        assertArrayEquals(hex("0004 0000 0000" + ECC_STORAGE_2B + "0000 00000000"), parameters(cmd));
    }

    @Test
    void createSharesTheCreationParametersButReturnsNoHandle() {
        Create cmd = new Create(KEY, TpmsSensitiveCreate.withAuth(hex("7077")), ECC_STORAGE);
        assertHandles(cmd, TpmCc.Create, List.of(KEY), 1, 0);
        assertArrayEquals(hex("0006 0002 7077 0000" + ECC_STORAGE_2B + "0000 00000000"), parameters(cmd));
    }

    @Test
    void createLoadedSendsATemplate() {
        CreateLoaded cmd = new CreateLoaded(KEY, TpmsSensitiveCreate.EMPTY, ECC_STORAGE);
        assertHandles(cmd, TpmCc.CreateLoaded, List.of(KEY), 1, 1);
        assertArrayEquals(hex("0004 0000 0000" + ECC_STORAGE_2B), parameters(cmd));
    }

    @Test
    void loadAndLoadExternal() {
        Load load = new Load(KEY, hex("a1a2a3"), ECC_STORAGE);
        assertHandles(load, TpmCc.Load, List.of(KEY), 1, 1);
        assertArrayEquals(hex("0003 a1a2a3" + ECC_STORAGE_2B), parameters(load));
        assertFalse(load.toString().contains("a1a2a3"));
        LoadExternal ext = new LoadExternal(ECC_STORAGE, TpmHandles.RH_NULL);
        assertHandles(ext, TpmCc.LoadExternal, List.of(), 0, 1);
        assertArrayEquals(hex("0000" + ECC_STORAGE_2B + "40000007"), parameters(ext));
    }

    @Test
    void signDefaultsToTheNullHashcheckTicket() {
        byte[] digest = new byte[32];
        Sign sign = new Sign(KEY, digest, TpmtSigScheme.ecdsa(TpmAlg.SHA256));
        assertHandles(sign, TpmCc.Sign, List.of(KEY), 1, 0);
        assertArrayEquals(hex("0020" + "00".repeat(32) + "0018 000b 8024 40000007 0000"), parameters(sign));
        VerifySignature verify = new VerifySignature(KEY, digest,
                new org.tpmauth.tss.types.TpmtSignature.Ecc(TpmAlg.ECDSA, TpmAlg.SHA256, hex("01"), hex("02")));
        assertHandles(verify, TpmCc.VerifySignature, List.of(KEY), 0, 0);
        assertArrayEquals(hex("0020" + "00".repeat(32) + "0018 000b 0001 01 0001 02"), parameters(verify));
    }

    @Test
    void rsaEncryptionCommandsTakeOnlyEncryptionSchemes() {
        RsaEncrypt enc = new RsaEncrypt(KEY, hex("0102"), TpmtAsymScheme.oaep(TpmAlg.SHA256), hex("6c00"));
        assertHandles(enc, TpmCc.RSA_Encrypt, List.of(KEY), 0, 0);
        assertArrayEquals(hex("0002 0102 0017 000b 0002 6c00"), parameters(enc));
        RsaDecrypt dec = new RsaDecrypt(KEY, hex("0102"), TpmtAsymScheme.RSAES, new byte[0]);
        assertHandles(dec, TpmCc.RSA_Decrypt, List.of(KEY), 1, 0);
        assertArrayEquals(hex("0002 0102 0015 0000"), parameters(dec));
        assertThrows(IllegalArgumentException.class,
                () -> new RsaDecrypt(KEY, new byte[0], TpmtAsymScheme.rsassa(TpmAlg.SHA256), new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new RsaEncrypt(KEY, new byte[0], TpmtAsymScheme.ecdh(TpmAlg.SHA256), new byte[0]));
        RsaDecrypt.Response plain = dec.readResponse(new int[0], new TpmReader(hex("0003 736563")));
        assertArrayEquals(hex("736563"), plain.message());
        assertFalse(plain.toString().contains("736563"));
        assertFalse(enc.toString().contains("0102"));
    }

    @Test
    void ecdhZGenSendsAndReturnsSizedPoints() {
        EcdhZGen cmd = new EcdhZGen(KEY, new TpmsEccPoint(hex("0a"), hex("0b")));
        assertHandles(cmd, TpmCc.ECDH_ZGen, List.of(KEY), 1, 0);
        assertArrayEquals(hex("0006 0001 0a 0001 0b"), parameters(cmd));
        byte[] response = hex("0006 0001 5a 0001 5b");
        EcdhZGen.Response r = readAll(response, response(cmd));
        assertArrayEquals(hex("5a"), r.outPoint().x());
        assertFalse(r.toString().contains("5a"));
        everyTruncationFails(response, response(cmd));
    }

    @Test
    void evictControlAndContexts() {
        EvictControl persist = new EvictControl(TpmHandles.RH_OWNER, KEY, 0x81000001);
        assertHandles(persist, TpmCc.EvictControl, List.of(TpmHandles.RH_OWNER, KEY), 1, 0);
        assertArrayEquals(hex("81000001"), parameters(persist));
        assertEquals(List.of(TpmHandles.RH_OWNER, 0x81000001), EvictControl.evict(TpmHandles.RH_OWNER, 0x81000001)
                .handles());
        ContextSave save = new ContextSave(KEY);
        assertHandles(save, TpmCc.ContextSave, List.of(KEY), 0, 0);
        TpmsContext ctx = new TpmsContext(7, KEY, TpmHandles.RH_OWNER, hex("c0ffee"));
        assertArrayEquals(ctx.toBytes(), readAll(ctx.toBytes(), response(save)).context()
                .toBytes());
        ContextLoad load = new ContextLoad(ctx);
        assertHandles(load, TpmCc.ContextLoad, List.of(), 0, 1);
        assertArrayEquals(ctx.toBytes(), parameters(load));
        assertEquals(0x80000002, load.readResponse(new int[] {0x80000002}, new TpmReader(new byte[0])).loadedHandle());
    }

    @Test
    void testParmsSendsATypedParameterSet() {
        TestParms cmd = new TestParms(new TpmuPublicParms.Rsa(TpmtAsymScheme.NULL, 2048));
        assertHandles(cmd, TpmCc.TestParms, List.of(), 0, 0);
        assertArrayEquals(hex("0001 0010 0010 0800 00000000"), parameters(cmd));
    }

    @Test
    void objectChangeAuthHidesTheNewAuthAndThePrivateBlob() {
        ObjectChangeAuth cmd = new ObjectChangeAuth(KEY, 0x81000001, hex("736563726574"));
        assertHandles(cmd, TpmCc.ObjectChangeAuth, List.of(KEY, 0x81000001), 1, 0);
        assertArrayEquals(hex("0006 736563726574"), parameters(cmd));
        assertFalse(cmd.toString().contains("736563726574"));
        ObjectChangeAuth.Response r = cmd.readResponse(new int[0], new TpmReader(hex("0002 abcd")));
        assertFalse(r.toString().toLowerCase().contains("abcd"));
    }

    @Test
    void createResponsesParseAndFailCleanlyWhenCut() {
        TpmsCreationData data = new TpmsCreationData(List.of(), new byte[32], 0, TpmAlg.NULL, hex("40000001"),
                hex("40000001"), new byte[0]);
        TpmtTicket ticket = new TpmtTicket(TpmSt.CREATION, TpmHandles.RH_OWNER, new byte[32]);
        TpmWriter w = new TpmWriter();
        ECC_STORAGE.marshalSized(w);
        data.marshalSized(w);
        w.sized(new byte[32]);
        ticket.marshal(w);
        w.sized(ECC_STORAGE.name());
        byte[] primaryResponse = w.toByteArray();
        CreatePrimary primary = new CreatePrimary(TpmHandles.RH_OWNER, ECC_STORAGE);
        CreatePrimary.Response r = readAll(primaryResponse, response(primary, KEY));
        assertEquals(KEY, r.objectHandle());
        assertArrayEquals(ECC_STORAGE.name(), r.name());
        assertArrayEquals(ECC_STORAGE.toBytes(), r.outPublic().toBytes());
        everyTruncationFails(primaryResponse, response(primary, KEY));

        TpmWriter c = new TpmWriter().sized(hex("5ec2e7"));
        ECC_STORAGE.marshalSized(c);
        data.marshalSized(c);
        c.sized(new byte[32]);
        ticket.marshal(c);
        Create create = new Create(KEY, TpmsSensitiveCreate.EMPTY, ECC_STORAGE);
        Create.Response cr = readAll(c.toByteArray(), response(create));
        assertArrayEquals(hex("5ec2e7"), cr.outPrivate());
        assertFalse(cr.toString().contains("5ec2e7"));
        everyTruncationFails(c.toByteArray(), response(create));
    }

    @Test
    void readPublicResponseParses() {
        TpmWriter w = new TpmWriter();
        ECC_STORAGE.marshalSized(w);
        w.sized(ECC_STORAGE.name()).sized(ECC_STORAGE.name());
        ReadPublic cmd = new ReadPublic(KEY);
        assertHandles(cmd, TpmCc.ReadPublic, List.of(KEY), 0, 0);
        ReadPublic.Response r = readAll(w.toByteArray(), response(cmd));
        assertArrayEquals(ECC_STORAGE.name(), r.name());
        assertEquals(TpmaObject.RESTRICTED | TpmaObject.DECRYPT, r.outPublic().objectAttributes()
                & (TpmaObject.RESTRICTED | TpmaObject.DECRYPT));
        everyTruncationFails(w.toByteArray(), response(cmd));
    }
}
