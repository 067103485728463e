package org.tpmauth.attest.service.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.tpmauth.attest.service.CertificateAuthority;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.testing.TestCa;

/** The operator pages' parts without a browser: escaping of outside data, verdict text, form tokens, who is an operator. */
class OperatorPagesTest {
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final String HOSTILE = "tpm-<script>alert('x')</script>\"&";

    @Test
    void everyValueFromOutsideIsEscaped() {
        String failures = "FAIL boot-app: event 23 (PCR 4, EV_EFI_BOOT_SERVICES_APPLICATION): boot application "
                + "<img src=x onerror=alert(1)> has digest ab, which is not an allowed shim\n";
        Database.Machine m = new Database.Machine(HOSTILE, new Database.Verdict(NOW, HOSTILE, "renew", false, failures),
                NOW.plus(Duration.ofHours(2)), new Database.Revocation(NOW, "<b>stolen</b>"));
        String html = FleetPage.render(List.of(m), NOW, "CN=<i>eve</i>")
                + MachinePage.render(m, List.of(m.last()), NOW, "x")
                + RevokePage.render(m, "1.token\"><script>", "x");
        for (String raw : List.of("<script>", "<img", "<b>stolen", "<i>eve", "\"&<", "'x'")) {
            assertFalse(html.contains(raw), raw + " reached the page unescaped");
        }
        assertTrue(html.contains("tpm-&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"), html);
        assertTrue(html.contains("href=\"/operator/machine?device=tpm-%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%22%26\""),
                html);
        assertTrue(html.contains("<code class=\"rule\">boot-app</code>: event 23 (PCR 4, EV_EFI_BOOT_SERVICES_APPLICATION)"),
                html);
    }

    @Test
    void aFailedMachineIsRedWithItsRulesAndAPassedOneIsNot() {
        Database.Machine bad = new Database.Machine("tpm-a", new Database.Verdict(NOW, "tpm-a", "renew", false,
                "FAIL pcr:sha256:4: PCR 4 (sha256) is 00, not one of the allowed [11]\nFAIL replay:sha256:4: PCR 4 ...\n"),
                NOW.minus(Duration.ofMinutes(3)), null);
        Database.Machine good = new Database.Machine("tpm-b", new Database.Verdict(NOW, "tpm-b", "activate", true, ""),
                NOW.plus(Duration.ofHours(7).plusMinutes(59)), null);
        assertTrue(FleetPage.row(bad, NOW).startsWith("<tr class=\"failed\""));
        assertTrue(FleetPage.row(bad, NOW).contains("<code class=\"rule\">pcr:sha256:4</code>"));
        assertTrue(FleetPage.row(bad, NOW).contains("<span class=\"badge expired\">expired</span> 3 min ago"));
        assertTrue(FleetPage.row(good, NOW).startsWith("<tr class=\"passed\""));
        assertTrue(FleetPage.row(good, NOW).contains("in 7 h 59 min"));
        assertTrue(FleetPage.render(List.of(bad, good), NOW, "op").contains("2 machines, 1 failing their last check"));
    }

    @Test
    void verdictTextIsReadBackAsRules() {
        assertEquals(List.of(new FailedRule("pcr:sha256:4", "PCR 4: a: b"), new FailedRule("", "revoked: stolen")),
                FailedRule.parse("FAIL pcr:sha256:4: PCR 4: a: b\nrevoked: stolen\n\n"));
        assertEquals(List.of(), FailedRule.parse("OK: the quote, and every rule hold\n"));
    }

    @Test
    void formTokensAreBoundToOperatorDeviceAndTime() {
        FormToken tokens = new FormToken(new SecretKeySpec(new byte[32], "AES"));
        Operator alice = new Operator("CN=alice", new byte[] {1});
        Operator bob = new Operator("CN=bob", new byte[] {2});
        String t = tokens.issue(alice, "tpm-a", NOW);
        assertTrue(tokens.valid(t, alice, "tpm-a", NOW.plus(FormToken.LIFETIME)));
        assertFalse(tokens.valid(t, alice, "tpm-a", NOW.plus(FormToken.LIFETIME).plusSeconds(1)), "expired");
        assertFalse(tokens.valid(t, bob, "tpm-a", NOW), "another operator");
        assertFalse(tokens.valid(t, alice, "tpm-b", NOW), "another device");
        String later = (NOW.plus(Duration.ofDays(1)).getEpochSecond()) + t.substring(t.indexOf('.'));
        assertFalse(tokens.valid(later, alice, "tpm-a", NOW), "expiry moved");
        for (String broken : new String[] {null, "", ".", "x.y", "1.!!", "12345"}) {
            assertFalse(tokens.valid(broken, alice, "tpm-a", NOW), broken);
        }
        assertFalse(new FormToken(new SecretKeySpec(new byte[] {1, 2}, "AES")).valid(t, alice, "tpm-a", NOW),
                "another service's key");
    }

    @Test
    void onlyCertificatesOfAnOperatorCaAreOperators() {
        TestCa machines = TestCa.root("machine CA");
        TestCa operators = TestCa.root("operator CA");
        KeyPair key = ServiceFixture.ecKeyPair();
        X509Certificate alice = issue(operators, key, "alice");
        X509Certificate machine = issue(machines, key, "tpm-1");
        OperatorAccess access = new OperatorAccess(List.of(operators.certificate()), machines.certificate());
        assertEquals("CN=alice,OU=test", access.operator(List.of(alice)).orElseThrow().name());
        assertEquals("CN=alice,OU=test", access.operator(List.of(alice, operators.certificate())).orElseThrow().name());
        assertTrue(access.operator(List.of(machine)).isEmpty());
        assertTrue(access.operator(List.of(machine, machines.certificate())).isEmpty());
        assertTrue(access.operator(List.of(operators.certificate())).isEmpty(), "the CA certificate alone");
        assertTrue(access.operator(List.of()).isEmpty());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> new OperatorAccess(List.of(machines.certificate()), machines.certificate()));
        assertTrue(same.getMessage().contains("every machine certificate would open the operator pages"), same.getMessage());
    }

    private static X509Certificate issue(TestCa ca, KeyPair key, String name) {
        return new CertificateAuthority(ca.key(), ca.certificate(), Duration.ofHours(1), null)
                .issueMachine(key.getPublic(), name, "test");
    }
}
