package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.ImaLogs;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/** Every `tpmauth attest` command through Main.run, on a swtpm manufactured with EK certificates. */
class AttestCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;
    private static EkProvisioning manufacturer;

    @BeforeAll
    static void manufacture() {
        manufacturer = EkProvisioning.manufacture(SWTPM);
        SWTPM.disconnect();
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static String path(String name) {
        return dir.resolve(name).toString();
    }

    /** The interface the issue spells out: command path -> options. */
    @Test
    void theCommandsHaveTheOptionsTheIssueNames() {
        java.util.Map<String, java.util.List<String>> spelled = java.util.Map.of(
                "ek", java.util.List.of("--cert-out", "--roots"),
                "ak create", java.util.List.of("--type", "--out", "--public-out"),
                "makecredential", java.util.List.of("--ek-pub", "--ak-name", "--secret", "--out"),
                "activatecredential", java.util.List.of("--ak", "--ek", "--in", "--out"),
                "quote", java.util.List.of("--ak", "--nonce", "--pcrs", "--eventlog", "--ima-log", "--out", "--pcrs-out"),
                "verify", java.util.List.of("--evidence", "--ak-pub", "--nonce", "--refstate", "--json"),
                "eventlog show", java.util.List.of("--json"),
                "ima show", java.util.List.of("--json"),
                "refstate create", java.util.List.of("--from-log", "--pin", "--out"));
        picocli.CommandLine attest = Main.commandLine(new Main()).getSubcommands().get("attest");
        spelled.forEach((command, options) -> {
            picocli.CommandLine c = attest;
            for (String part : command.split(" ")) {
                c = c.getSubcommands().get(part);
            }
            for (String option : options) {
                assertTrue(c.getCommandSpec().findOption(option) != null, "attest " + command + " " + option);
            }
        });
    }

    @Test
    void ekCertificateChainsToTheRootsAndAForeignRootFails() throws Exception {
        Cli.Result r = tpmauth("attest", "ek", "--cert-out", path("ek.pem"), "--roots",
                manufacturer.caDirectory().toString()).ok();
        assertTrue(r.out().contains("chain: VALID"), r.out());
        assertTrue(Files.readString(dir.resolve("ek.pem")).startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(tpmauth("attest", "ek", "--ek", "ecc", "--roots", manufacturer.caDirectory().toString()).ok().out()
                .contains("chain: VALID"));
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.write(foreign.resolve("root.der"), TestCa.root("swtpm-localca-rootca").certificate().getEncoded());
        Cli.Result bad = tpmauth("attest", "ek", "--roots", foreign.toString());
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.out().contains("UNKNOWN_ISSUER"), bad.out());
    }

    @Test
    void enrollmentQuoteAndVerification() throws Exception {
        String name = tpmauth("attest", "ak", "create", "--type", "ec-p256", "--out", path("ak.pem"), "--public-out",
                path("ak.pub.pem")).ok().out().strip();
        assertTrue(name.matches("000b[0-9a-f]{64}"), name);
        tpmauth("attest", "ek", "--cert-out", path("ek-cert.pem")).ok();
        Files.writeString(dir.resolve("secret.bin"), "0123456789abcdef0123456789abcdef");
        tpmauth("attest", "makecredential", "--ek-pub", path("ek-cert.pem"), "--ak-name", name, "--secret",
                path("secret.bin"), "--out", path("cred.bin")).ok();
        tpmauth("attest", "activatecredential", "--ak", path("ak.pem"), "--in", path("cred.bin"), "--out",
                path("recovered.bin")).ok();
        assertArrayEquals(Files.readAllBytes(dir.resolve("secret.bin")), Files.readAllBytes(dir.resolve("recovered.bin")));
        String otherName = name.substring(0, 10) + (name.charAt(10) == '0' ? '1' : '0') + name.substring(11);
        tpmauth("attest", "makecredential", "--ek-pub", path("ek-cert.pem"), "--ak-name", otherName, "--secret",
                path("secret.bin"), "--out", path("other.bin")).ok();
        assertTrue(tpmauth("attest", "activatecredential", "--ak", path("ak.pem"), "--in", path("other.bin"), "--out",
                path("x.bin")).fails().contains("another AK Name"));

        tpmauth("attest", "quote", "--ak", path("ak.pem"), "--nonce", "0a0b0c0d", "--pcrs", "sha256:0-7,sha1:0-7",
                "--out", path("evidence.json")).ok();
        JsonNode ev = new ObjectMapper().readTree(dir.resolve("evidence.json").toFile());
        assertTrue(ev.get("quoted").asText().startsWith("ff544347"));
        assertEquals(8, ev.at("/pcrs/sha1").size());
        assertTrue(tpmauth("attest", "verify", "--evidence", path("evidence.json"), "--ak-pub", path("ak.pub.pem"),
                "--nonce", "0a0b0c0d").ok().out().startsWith("OK"));
        Cli.Result wrong = tpmauth("attest", "verify", "--evidence", path("evidence.json"), "--ak-pub",
                path("ak.pub.pem"), "--nonce", "ffff", "--json");
        assertEquals(1, wrong.code(), wrong.toString());
        JsonNode verdict = new ObjectMapper().readTree(wrong.out());
        assertEquals(false, verdict.get("ok").asBoolean());
        assertEquals("nonce", verdict.at("/failures/0/check").asText());

        String log = RealLogs.dir().resolve("tpm2-tools/event-arch-linux.bin").toString();
        tpmauth("attest", "refstate", "create", "--from-log", log, "--pin", "0,2", "--out", path("ref.json")).ok();
        RefState ref = RefState.fromJson(Files.readString(dir.resolve("ref.json")));
        assertEquals(2, ref.pcrs().size());
        tpmauth("attest", "quote", "--ak", path("ak.pem"), "--nonce", "01", "--pcrs", "sha256:0-7", "--eventlog", log,
                "--out", path("with-log.json")).ok();
        Cli.Result other = tpmauth("attest", "verify", "--evidence", path("with-log.json"), "--ak-pub",
                path("ak.pub.pem"), "--nonce", "01", "--refstate", path("ref.json"));
        assertEquals(1, other.code());
        assertTrue(other.out().contains("FAIL replay:sha256:0") && other.out().contains("FAIL pcr:sha256:0"), other.out());
    }

    @Test
    void quoteFilesForTpm2CheckquoteAndAnImaLogInTheEvidence() throws Exception {
        tpmauth("attest", "ak", "create", "--type", "rsa-2048", "--out", path("rsa-ak.pem"), "--public-out",
                path("rsa-ak.pub.pem")).ok();
        Files.write(dir.resolve("ima.bin"), ImaLogs.sample().binary());
        tpmauth("attest", "quote", "--ak", path("rsa-ak.pem"), "--nonce", "0badcafe", "--pcrs", "sha256:0-7,10,sha1:10",
                "--ima-log", path("ima.bin"), "--out", path("ima-evidence.json"), "--message-out", path("quote.msg"),
                "--signature-out", path("quote.sig"), "--pcrs-out", path("pcrs.bin")).ok();
        JsonNode ev = new ObjectMapper().readTree(dir.resolve("ima-evidence.json").toFile());
        assertArrayEquals(ImaLogs.sample().binary(), java.util.Base64.getDecoder().decode(ev.get("imalog").asText()));
        Tools.run(SWTPM, "tpm2_checkquote", "-u", path("rsa-ak.pub.pem"), "-m", path("quote.msg"), "-s",
                path("quote.sig"), "-f", path("pcrs.bin"), "-g", "sha256", "-q", "0badcafe");
        // this TPM's PCR 10 never saw these measurements: the verifier says so for both banks
        Cli.Result v = tpmauth("attest", "verify", "--evidence", path("ima-evidence.json"), "--ak-pub",
                path("rsa-ak.pub.pem"), "--nonce", "0badcafe");
        assertEquals(1, v.code(), v.toString());
        assertTrue(v.out().contains("FAIL ima-replay:sha256:10") && v.out().contains("FAIL ima-replay:sha1:10"), v.out());
    }

    @Test
    void eventlogShowReplaysLikeExpectedJson() throws Exception {
        String log = RealLogs.dir().resolve("go-tpm-tools/glinux-alex.bin").toString();
        JsonNode shown = new ObjectMapper().readTree(tpmauth("attest", "eventlog", "show", log, "--json").ok().out());
        JsonNode expected = new ObjectMapper().readTree(RealLogs.dir().resolve("EXPECTED.json").toFile())
                .at("/logs/go-tpm-tools~1glinux-alex.bin/pcrs");
        assertEquals(expected, shown.get("pcrs"));
        assertEquals(29, shown.get("events").size());
        String text = tpmauth("attest", "eventlog", "show", log).ok().out();
        assertTrue(text.contains("StartupLocality locality 3") && text.contains("EV_SEPARATOR"), text);
        String error = tpmauth("attest", "eventlog", "show",
                RealLogs.dir().resolve("tpm2-tools/specid-vendordata.bin").toString()).fails();
        assertTrue(error.contains("event 0 at offset 0"), error);
    }

    @Test
    void imaShowListsEntriesAndPcr10() throws Exception {
        Path ima = dir.resolve("ascii_runtime_measurements");
        Files.writeString(ima, "10 " + "11".repeat(20) + " ima-ng sha256:" + "22".repeat(32) + " /usr/bin/bash\n");
        String out = tpmauth("attest", "ima", "show", ima.toString()).ok().out();
        assertTrue(out.contains("/usr/bin/bash EDITED") && out.contains("sha256:\n  10: "), out);
        JsonNode json = new ObjectMapper().readTree(tpmauth("attest", "ima", "show", ima.toString(), "--json").ok().out());
        assertEquals("/usr/bin/bash", json.at("/events/0/path").asText());
        assertEquals(64, json.at("/pcrs/sha256/10").asText().length());
    }
}
