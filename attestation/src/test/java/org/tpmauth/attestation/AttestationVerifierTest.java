package org.tpmauth.attestation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.LogPlayback;
import org.tpmauth.attestation.eventlog.EventType;
import org.tpmauth.attestation.eventlog.TcgEvent;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStates;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.ImaLogs;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;

/**
 * A real boot log (Ubuntu 21.04 on GCE) replayed into swtpm event by event: the quote verifies against
 * the log and a reference state made from it; each forgery is rejected with its reason. An IMA log
 * measured into PCR 10 verifies against the quote and an allowlist. And the real Windows quote of
 * go-attestation verifies against its own log.
 */
class AttestationVerifierTest {
    private static final String LOG = "go-tpm-tools/ubuntu-2104-no-secure-boot.bin";
    private static final byte[] NONCE = HexFormat.of().parseHex("a1b2c3d4e5f60718");
    private static final List<TpmsPcrSelection> SELECTION = PcrSelections.parse("sha256:0-9,sha1:0-9");
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;
    private static TpmKeys keys;
    private static TpmKey ak;
    private static byte[] log;
    private static RefState ref;

    @BeforeAll
    static void bootTheLogIntoSwtpm() {
        EkProvisioning.manufacture(SWTPM); // banks sha1 and sha256 only
        tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
        ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
        log = RealLogs.read(LOG);
        EventLog parsed = EventLog.parse(log);
        LogPlayback.extendInto(tpm, parsed, Set.of(TpmAlg.SHA1, TpmAlg.SHA256));
        ref = RefStates.fromLog(parsed, Set.of(0, 2, 4));
        ImaLogs.sample().measureInto(tpm); // the running machine's IMA measurements into PCR 10
    }

    @AfterAll
    static void close() {
        keys.close();
    }

    private static AttestationVerifier.Verdict verify(Evidence ev, RefState r) {
        return AttestationVerifier.verify(ak.publicArea(), ev, NONCE, SELECTION, null, r);
    }

    private static List<String> checks(AttestationVerifier.Verdict v) {
        return v.failures().stream().map(Failure::check).toList();
    }

    @Test
    void theQuoteVerifiesAgainstTheLogAndAReferenceStateMadeFromIt() {
        Evidence ev = Evidence.fromJson(Quoter.quote(tpm, ak, NONCE, SELECTION, log).toJson());
        AttestationVerifier.Verdict v = verify(ev, RefState.fromJson(ref.toJson()));
        assertEquals(List.of(), v.failures(), v.toText());
        assertTrue(v.toText().startsWith("OK"));
        assertTrue(v.toJson().contains("\"ok\" : true"));
    }

    @Test
    void eachForgeryIsRejectedWithTheRightReason() throws Exception {
        Evidence ev = Quoter.quote(tpm, ak, NONCE, SELECTION, log);
        EventLog parsed = EventLog.parse(log);

        assertEquals(List.of("nonce"), checks(AttestationVerifier.verify(ak.publicArea(), ev, new byte[8], SELECTION,
                null, ref)), "wrong nonce");

        Evidence newer = Quoter.quote(tpm, ak, NONCE, SELECTION, log);
        var newerClock = verify(newer, ref).quote().attest().clockInfo();
        assertEquals(List.of("replay"), checks(AttestationVerifier.verify(ak.publicArea(), ev, NONCE, SELECTION,
                newerClock, ref)), "replayed old quote");

        TcgEvent ipl = parsed.events().stream().filter(e -> e.type() == EventType.EV_IPL && e.pcr() == 8).findFirst().orElseThrow();
        byte[] edited = log.clone();
        int digestAt = indexOf(log, ipl.digests().get(TpmAlg.SHA256), (int) ipl.offset());
        edited[digestAt] ^= 1;
        AttestationVerifier.Verdict e = verify(withLog(ev, edited), ref);
        assertEquals(List.of("replay:sha256:" + ipl.pcr()), checks(e), "an edited event");
        assertTrue(e.failures().get(0).message().contains("PCR " + ipl.pcr() + " (sha256)"));

        TcgEvent dropped = parsed.events().get(parsed.events().size() - 1);
        byte[] shorter = Arrays.copyOf(log, (int) dropped.offset());
        assertEquals(List.of("replay:sha1:" + dropped.pcr(), "replay:sha256:" + dropped.pcr()),
                checks(verify(withLog(ev, shorter), null)), "a dropped event");

        TpmKey foreign = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
        assertEquals(List.of("signature"), checks(AttestationVerifier.verify(foreign.publicArea(), ev, NONCE,
                SELECTION, null, ref)), "a foreign AK");
        keys.unload(foreign);

        List<TpmsPcrSelection> emptyBank = PcrSelections.parse("sha384:0-7");
        Evidence empty = Quoter.quote(tpm, ak, NONCE, emptyBank, null);
        assertTrue(checks(AttestationVerifier.verify(ak.publicArea(), empty, NONCE, emptyBank, null, null))
                .contains("pcr-selection"), "a quote over a bank the TPM does not have");

        AttestationVerifier.Verdict other = verify(withLog(ev, RealLogs.read("tpm2-tools/event-postcode.bin")), null);
        assertTrue(checks(other).stream().allMatch(c -> c.startsWith("replay:")) && checks(other).size() > 4,
                "a log from another machine: " + checks(other));

        RefState secureBootOn = new RefState(1, "sha256", ref.pcrs(), new RefState.Rules(true, null, null, null, null,
                null, null, null, null));
        AttestationVerifier.Verdict sb = verify(ev, secureBootOn);
        assertEquals(List.of("secure-boot"), checks(sb), "Secure Boot off");
        assertTrue(sb.failures().get(0).message().contains("EV_EFI_VARIABLE_DRIVER_CONFIG"), sb.toText());
        assertEquals("7", sb.failures().get(0).context().get("pcr"));
        assertTrue(sb.toJson().contains("\"check\" : \"secure-boot\""));
    }

    @Test
    void referenceRulesNameTheEventThatBrokeThem() {
        Evidence ev = Quoter.quote(tpm, ak, NONCE, SELECTION, log);
        RefState strict = new RefState(1, "sha256", new java.util.TreeMap<>(java.util.Map.of(0, List.of("00".repeat(32)))),
                new RefState.Rules(null, null, null, null, List.of("ab".repeat(32)), List.of("cd".repeat(32)),
                        "quiet", "999", null));
        List<String> c = checks(verify(ev, strict));
        assertTrue(c.containsAll(List.of("pcr:sha256:0", "boot-app", "kernel-cmdline", "scrtm-version")), c.toString());
    }

    @Test
    void theRealWindowsQuoteVerifiesAgainstItsOwnLog() throws Exception {
        JsonNode dump = new ObjectMapper().readTree(RealLogs.dir().resolve("go-attestation/windows_gcp_shielded_vm.json")
                .toFile());
        Base64.Decoder b64 = Base64.getDecoder();
        TpmtPublic windowsAk = TpmtPublic.read(new TpmReader(b64.decode(dump.at("/AK/Public").asText())));
        TpmtSignature sig = TpmtSignature.read(new TpmReader(b64.decode(dump.at("/Quote/Signature").asText())));
        PcrValues pcrs = new PcrValues(java.util.Map.of());
        for (JsonNode p : dump.at("/Log/PCRs")) {
            pcrs = pcrs.with(TpmAlg.SHA1, p.get("Index").asInt(), b64.decode(p.get("Digest").asText()));
        }
        Evidence ev = new Evidence(b64.decode(dump.at("/Quote/Quote").asText()), sig, pcrs,
                b64.decode(dump.at("/Log/Raw").asText()));
        AttestationVerifier.Verdict v = AttestationVerifier.verify(windowsAk, ev, new byte[0], null, null, null);
        assertEquals(List.of(), v.failures(), v.toText());
        assertEquals(TpmAlg.SHA1, ((TpmtSignature.Rsa) sig).hash());
        PcrValues flipped = ev.pcrs().with(TpmAlg.SHA1, 0, new byte[20]);
        assertTrue(checks(AttestationVerifier.verify(windowsAk, new Evidence(ev.quoted(), sig, flipped, ev.eventLog()),
                new byte[0], null, null, null)).contains("pcr-digest"));
    }

    @Test
    void theImaLogReplaysIntoTheQuotedPcr10AndIsJudgedByTheAllowlist() {
        List<TpmsPcrSelection> withIma = PcrSelections.parse("sha256:0-10,sha1:0-10");
        Evidence quote = Quoter.quote(tpm, ak, NONCE, withIma, log);
        byte[] ima = ImaLogs.sample().binary();
        Evidence ev = Evidence.fromJson(quote.withImaLog(ima).toJson());
        assertArrayEquals(ima, ev.imaLog());
        HexFormat hex = HexFormat.of();
        RefState.Ima allow = new RefState.Ima(java.util.Map.of("/usr/bin/bash", List.of(hex.formatHex(ImaLogs.filled(2))),
                "/usr/lib/with space.so", List.of(hex.formatHex(ImaLogs.filled(3))),
                "/etc/unsigned", List.of(hex.formatHex(ImaLogs.filled(4)))), List.of("/var/log/.*"));
        RefState withImaRules = withIma(allow);
        AttestationVerifier.Verdict ok = AttestationVerifier.verify(ak.publicArea(), ev, NONCE, withIma, null, withImaRules);
        assertEquals(List.of(), ok.failures(), ok.toText());
        assertEquals(5, ok.imaLog().entries().size());
        assertTrue(ok.toText().contains("the IMA log (5 entries)"), ok.toText());
        String ascii = ImaLogs.sample().ascii();
        assertEquals(List.of(), checks(AttestationVerifier.verify(ak.publicArea(),
                quote.withImaLog(ascii.getBytes(java.nio.charset.StandardCharsets.UTF_8)), NONCE, withIma, null,
                withImaRules)), "the ASCII form");

        byte[] longer = ImaLogs.sample().add("ima-ng", "/usr/bin/later", ImaLogs.filled(6), null, false).binary();
        AttestationVerifier.Verdict grown = AttestationVerifier.verify(ak.publicArea(), quote.withImaLog(longer), NONCE,
                withIma, null, withImaRules);
        assertEquals(List.of(), grown.failures(), "entries measured after the quote are left for the next one");
        assertEquals(5, grown.imaLog().entries().size());

        RefState.Ima strict = new RefState.Ima(java.util.Map.of("/usr/bin/bash", List.of(hex.formatHex(ImaLogs.filled(2)))),
                List.of("/var/log/.*", "/usr/lib/.*"));
        AttestationVerifier.Verdict unlisted = AttestationVerifier.verify(ak.publicArea(), ev, NONCE, withIma, null,
                withIma(strict));
        assertEquals(List.of("ima"), checks(unlisted), "a file the allowlist does not name");
        assertEquals("3", unlisted.failures().get(0).context().get("event"));

        byte[] edited = ascii.replace("/usr/bin/bash", "/usr/bin/evil").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(List.of("ima-replay:sha256:10"), checks(AttestationVerifier.verify(ak.publicArea(),
                quote.withImaLog(edited), NONCE, withIma, null, withImaRules)), "an edited entry");

        byte[] dropped = Arrays.copyOf(ima, ima.length - lastEntrySize(ima));
        assertEquals(List.of("ima-replay:sha256:10", "ima-replay:sha1:10"), checks(AttestationVerifier.verify(
                ak.publicArea(), quote.withImaLog(dropped), NONCE, withIma, null, withImaRules)), "a dropped entry");

        assertEquals(List.of("imalog"), checks(AttestationVerifier.verify(ak.publicArea(),
                quote.withImaLog(Arrays.copyOf(ima, ima.length - 3)), NONCE, withIma, null, null)), "a truncated log");
        assertEquals(List.of("imalog"), checks(AttestationVerifier.verify(ak.publicArea(), quote, NONCE, withIma, null,
                withImaRules)), "IMA rules but no IMA log");
        Evidence bootOnly = Quoter.quote(tpm, ak, NONCE, SELECTION, log).withImaLog(ima);
        assertEquals(List.of("ima-replay"), checks(AttestationVerifier.verify(ak.publicArea(), bootOnly, NONCE,
                SELECTION, null, null)), "a quote without PCR 10");
    }

    private static RefState withIma(RefState.Ima ima) {
        RefState.Rules r = ref.rules();
        return new RefState(1, ref.bank(), ref.pcrs(), new RefState.Rules(r.secureBoot(), r.pk(), r.kek(), r.db(),
                r.dbxContains(), r.bootApps(), r.kernelCmdline(), r.minScrtmVersion(), ima));
    }

    /** The size of the last entry of a binary IMA log (PCR, template hash, name, data). */
    private static int lastEntrySize(byte[] ima) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(ima).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int start = 0;
        while (in.hasRemaining()) {
            start = in.position();
            in.position(start + 4 + 20);
            int name = in.getInt();
            in.position(in.position() + name);
            int data = in.getInt();
            in.position(in.position() + data);
        }
        return ima.length - start;
    }

    private static Evidence withLog(Evidence ev, byte[] newLog) {
        return new Evidence(ev.quoted(), ev.signature(), ev.pcrs(), newLog);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        for (int i = from; i <= haystack.length - needle.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("digest not found");
    }
}
