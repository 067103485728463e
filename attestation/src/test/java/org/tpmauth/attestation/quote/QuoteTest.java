package org.tpmauth.attestation.quote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;

/** Quotes on swtpm, verified in software; each forgery rejected for its reason; tpm2-tools both ways. */
class QuoteTest {
    private static final byte[] NONCE = HexFormat.of().parseHex("5eed0123456789abcdef");
    private static final List<TpmsPcrSelection> SELECTION = PcrSelections.parse("sha256:0-7,sha1:0-7,16");
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;
    private static TpmKeys keys;
    private static Tss2KeyFile ecAk;
    private static Tss2KeyFile rsaAk;

    @BeforeAll
    static void start() {
        tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
        ecAk = AttestationKeys.create(tpm, KeyAlgorithm.EC_P256);
        rsaAk = AttestationKeys.create(tpm, KeyAlgorithm.RSA_2048);
        tpm.execute(new PcrExtend(16, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32]))));
    }

    @AfterAll
    static void close() {
        keys.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa"})
    void aQuoteVerifiesAndSurvivesItsJsonForm(String type) {
        TpmKey ak = keys.load(type.equals("ec") ? ecAk : rsaAk, null);
        Evidence ev = Evidence.fromJson(Quoter.quote(tpm, ak, NONCE, SELECTION, "log".getBytes()).toJson());
        QuoteVerifier.Result r = QuoteVerifier.verify(ak.publicArea(), ev, NONCE, SELECTION, null);
        assertEquals(List.of(), r.failures());
        assertEquals(16, ev.pcrs().banks().values().stream().mapToInt(m -> m.size()).sum() - 1, "sha256 0-7 and 16, sha1 0-7");
        assertArrayEquals("log".getBytes(), ev.eventLog());
        assertEquals(List.of(TpmAlg.SHA256, TpmAlg.SHA1), List.copyOf(ev.pcrs().banks().keySet()));
    }

    @Test
    void eachForgeryIsRejectedForItsReason() {
        TpmKey ak = keys.load(ecAk, null);
        TpmKey other = keys.load(rsaAk, null);
        Evidence ev = Quoter.quote(tpm, ak, NONCE, SELECTION, null);
        assertEquals(List.of("nonce"), checks(QuoteVerifier.verify(ak.publicArea(), ev, new byte[10], SELECTION, null)));

        byte[] flipped = ev.pcrs().get(TpmAlg.SHA256, 7).clone();
        flipped[0] ^= 1;
        Evidence edited = new Evidence(ev.quoted(), ev.signature(), ev.pcrs().with(TpmAlg.SHA256, 7, flipped), null);
        assertEquals(List.of("pcr-digest"), checks(QuoteVerifier.verify(ak.publicArea(), edited, NONCE, SELECTION, null)));

        byte[] quoted = ev.quoted().clone();
        quoted[quoted.length - 1] ^= 1;
        assertTrue(checks(QuoteVerifier.verify(ak.publicArea(), new Evidence(quoted, ev.signature(), ev.pcrs(), null),
                NONCE, SELECTION, null)).contains("signature"));

        assertTrue(checks(QuoteVerifier.verify(other.publicArea(), ev, NONCE, SELECTION, null)).contains("signature"),
                "a foreign AK");
        assertEquals(List.of("pcr-selection"), checks(QuoteVerifier.verify(ak.publicArea(), ev, NONCE,
                PcrSelections.parse("sha256:0-9,sha1:0-7,16"), null)), "a narrower selection than asked");

        Evidence extra = new Evidence(ev.quoted(), ev.signature(), ev.pcrs().with(TpmAlg.SHA256, 9, new byte[32]), null);
        assertEquals(List.of("pcrs-unquoted"), checks(QuoteVerifier.verify(ak.publicArea(), extra, NONCE, SELECTION, null)));

        Evidence later = Quoter.quote(tpm, ak, NONCE, SELECTION, null);
        QuoteVerifier.Result laterResult = QuoteVerifier.verify(ak.publicArea(), later, NONCE, SELECTION, null);
        assertEquals(List.of("replay"), checks(QuoteVerifier.verify(ak.publicArea(), ev, NONCE, SELECTION,
                laterResult.attest().clockInfo())), "an old quote replayed after a newer one");
        QuoteVerifier.Result first = QuoteVerifier.verify(ak.publicArea(), ev, NONCE, SELECTION, null);
        assertTrue(QuoteVerifier.verify(ak.publicArea(), later, NONCE, SELECTION, first.attest().clockInfo()).ok());
        assertEquals(List.of("ak"), checks(QuoteVerifier.verify(
                org.tpmauth.tss.keys.KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false), ev, NONCE, SELECTION, null))
                .subList(0, 1));
        keys.unload(other);
        keys.unload(ak);
    }

    @Test
    void aRebootBetweenQuotesIsNamed() {
        TpmKey ak = keys.load(ecAk, null);
        QuoteVerifier.Result before = QuoteVerifier.verify(ak.publicArea(),
                Quoter.quote(tpm, ak, NONCE, SELECTION, null), NONCE, SELECTION, null);
        SWTPM.powerCycle();
        TpmKey again = keys.load(ecAk, null);
        Evidence after = Quoter.quote(tpm, again, NONCE, SELECTION, null);
        List<Failure> f = QuoteVerifier.verify(again.publicArea(), after, NONCE, SELECTION, before.attest().clockInfo())
                .failures();
        // swtpm was power-cycled without TPM2_Shutdown, so its clock is not "safe" either
        assertEquals(List.of("clock-safe", "reboot"), checks(f));
        assertTrue(f.get(1).message().contains("fresh event log"), f.get(1).message());
        keys.unload(again);
    }

    @Test
    void malformedEvidenceJsonNamesTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromJson("{\"quoted\": \"zz\"}"))
                .getMessage().contains("quoted"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromJson("[1]")).getMessage()
                .contains("object"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromJson(
                "{\"quoted\": \"00\", \"signature\": \"0018\", \"pcrs\": {}}")).getMessage().contains("TPMT_SIGNATURE"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromJson(
                "{\"quoted\": \"00\", \"signature\": \"0010\", \"pcrs\": {\"sha256\": {\"0\": \"00\"}}}")).getMessage()
                .contains("pcrs.sha256.0"));
        Evidence garbage = Evidence.fromJson("{\"quoted\": \"00\", \"signature\": \"0010\", \"pcrs\": {}}");
        assertTrue(checks(QuoteVerifier.verify(AttestationKeys.template(KeyAlgorithm.EC_P256), garbage, NONCE, null,
                null)).contains("attest"));
    }

    @Test
    void cborFormCarriesTheSameEvidenceAndIsRefusedWhenMalformed() {
        byte[] log = new byte[5000];
        new java.util.Random(9).nextBytes(log);
        Evidence ev = Evidence.fromJson("{\"quoted\": \"ff544347\", \"signature\": \"0010\", \"pcrs\": {\"sha256\": {\"7\": \""
                + "11".repeat(32) + "\"}}, \"eventlog\": \"" + java.util.Base64.getEncoder().encodeToString(log)
                + "\", \"imalog\": \"aW1h\"}");
        byte[] cbor = ev.toCbor();
        assertTrue(cbor.length < ev.toJson().length() * 3 / 4, "the CBOR form carries the log as bytes");
        Evidence back = Evidence.fromCbor(cbor);
        assertEquals(ev.toJson(), back.toJson());
        assertArrayEquals(log, back.eventLog());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromCbor(java.util.Arrays.copyOf(cbor,
                cbor.length - 100))).getMessage().contains("eventlog"));
        byte[] trailing = java.util.Arrays.copyOf(cbor, cbor.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromCbor(trailing)).getMessage()
                .contains("after its CBOR object"));
        assertThrows(IllegalArgumentException.class, () -> Evidence.fromCbor(ev.toJson().getBytes()));
    }

    @Test
    void logsInBase64AsOtherToolsWriteItAreRead() {
        byte[] log = new byte[1000];
        new java.util.Random(7).nextBytes(log);
        String wrapped = java.util.Base64.getMimeEncoder().encodeToString(log).replace("\r\n", "\\n");
        String unpadded = java.util.Base64.getEncoder().withoutPadding().encodeToString("ima".getBytes());
        Evidence ev = Evidence.fromJson("{\"quoted\": \"00\", \"signature\": \"0010\", \"pcrs\": {}, \"eventlog\": \""
                + wrapped + "\", \"imalog\": \"" + unpadded + "\"}");
        assertArrayEquals(log, ev.eventLog());
        assertArrayEquals("ima".getBytes(), ev.imaLog());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromJson("{\"quoted\": \"00\", "
                + "\"signature\": \"0010\", \"pcrs\": {}, \"eventlog\": \"AB!D\"}")).getMessage()
                .contains("\"eventlog\" is not base64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidence.fromJson("{\"quoted\": \"00\", "
                + "\"signature\": \"0010\", \"pcrs\": {}, \"imalog\": 7}")).getMessage().contains("imalog"));
    }

    @Test
    void tpm2CheckquoteAcceptsOurQuoteAndWeVerifyTpm2Quote() throws Exception {
        Path work = SWTPM.workDir();
        TpmKey ak = keys.persist(keys.load(rsaAk, null), 0x81000043);
        try {
            List<TpmsPcrSelection> sel = PcrSelections.parse("sha256:0,1,2,16,sha1:0,16");
            Evidence ev = Quoter.quote(tpm, ak, NONCE, sel, null);
            Files.writeString(work.resolve("ak.pem"), PublicKeys.toPem(ak.publicKey()));
            Files.write(work.resolve("quote.msg"), ev.quoted());
            Files.write(work.resolve("quote.sig"), org.tpmauth.tss.wire.TpmWriter.marshal(ev.signature()::marshal));
            Files.write(work.resolve("pcrs.bin"), PcrFile.of(ev).toBytes());
            byte[] tampered = PcrFile.of(new Evidence(ev.quoted(), ev.signature(), ev.pcrs().with(TpmAlg.SHA256, 16,
                    new byte[32]), null)).toBytes();
            Files.write(work.resolve("tampered.bin"), tampered);
            keys.close();
            Tools.run(SWTPM, "tpm2_flushcontext", "-l");
            // tpm2_quote's default PCR file format: no -l needed, the file names its selection
            Tools.run(SWTPM, "tpm2_checkquote", "-u", "ak.pem", "-m", "quote.msg", "-s", "quote.sig", "-f", "pcrs.bin",
                    "-g", "sha256", "-q", HexFormat.of().formatHex(NONCE));
            assertThrows(AssertionError.class, () -> Tools.run(SWTPM, "tpm2_checkquote", "-u", "ak.pem", "-m",
                    "quote.msg", "-s", "quote.sig", "-f", "tampered.bin", "-g", "sha256", "-q",
                    HexFormat.of().formatHex(NONCE)), "a PCR value changed after the quote");

            Tools.run(SWTPM, "tpm2_quote", "-c", TpmHandles.hex(0x81000043), "-l", "sha256:0,1,2,16+sha1:0,16", "-q",
                    "c0ffee", "-m", "tools.msg", "-s", "tools.sig", "-o", "tools.pcrs", "-g", "sha256");
            byte[] toolsPcrs = Files.readAllBytes(work.resolve("tools.pcrs"));
            assertArrayEquals(Files.readAllBytes(work.resolve("pcrs.bin")), toolsPcrs,
                    "tpm2_quote writes the same PCR file for the same selection and values");
            TpmtSignature sig = TpmtSignature.read(new TpmReader(Files.readAllBytes(work.resolve("tools.sig"))));
            PcrFile file = PcrFile.parse(toolsPcrs);
            assertEquals(sel.toString(), file.selection().toString());
            Evidence tools = new Evidence(Files.readAllBytes(work.resolve("tools.msg")), sig, file.values(), null);
            assertEquals(List.of(), QuoteVerifier.verify(ak.publicArea(), tools, HexFormat.of().parseHex("c0ffee"), sel,
                    null).failures());
        } finally {
            keys.evict(0x81000043);
        }
    }

    @Test
    void pcrFilesOfTheWrongShapeAreRefusedWithAReason() {
        PcrFile file = new PcrFile(PcrSelections.parse("sha256:0,1,sha1:7"), new PcrValues(java.util.Map.of())
                .with(TpmAlg.SHA256, 0, new byte[32]).with(TpmAlg.SHA256, 1, new byte[32]).with(TpmAlg.SHA1, 7, new byte[20]));
        byte[] bytes = file.toBytes();
        assertEquals(132 + 4 + 532, bytes.length);
        assertEquals(file.values().banks().keySet(), PcrFile.parse(bytes).values().banks().keySet());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PcrFile.parse(java.util.Arrays.copyOf(bytes, 200)))
                .getMessage().contains("truncated"));
        byte[] wrongSize = bytes.clone();
        wrongSize[136 + 4] = 20; // the first sha256 value claims 20 bytes
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PcrFile.parse(wrongSize)).getMessage()
                .contains("sha256:0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PcrFile(PcrSelections.parse("sha256:2"),
                file.values()).toBytes()).getMessage().contains("sha256:2"));
    }

    private static List<String> checks(QuoteVerifier.Result r) {
        return checks(r.failures());
    }

    private static List<String> checks(List<Failure> f) {
        return f.stream().map(Failure::check).toList();
    }
}
