package org.tpmauth.attest.service.operator;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fuzzes what the operator pages read: a query string or form body with its confirmation token (from
 * the operator's browser), and a recorded verdict's text read back into rules. Anything but a
 * {@link OperatorConsole.Refused} escaping is a finding, and so is a forged token that validates.
 * Seeds: resources/org/tpmauth/attest/service/operator/OperatorFormsFuzzTestInputs/.
 */
class OperatorFormsFuzzTest {
    private static final FormToken TOKENS = new FormToken(new SecretKeySpec(new byte[32], "AES"));
    private static final Operator OPERATOR = new Operator("CN=alice", new byte[32]);

    @FuzzTest(maxDuration = "30s")
    void revocationForm(byte[] body) {
        try {
            Map<String, String> form = OperatorConsole.form(new String(body, StandardCharsets.UTF_8));
            String device = form.getOrDefault("device", "");
            if (TOKENS.valid(form.get("token"), OPERATOR, device, Instant.EPOCH)) {
                throw new AssertionError("a token no one issued validates: " + form.get("token"));
            }
        } catch (OperatorConsole.Refused expected) {
            // refused with a reason
        }
    }

    @FuzzTest(maxDuration = "30s")
    void verdictText(byte[] text) {
        String page = FailedRule.list(new String(text, StandardCharsets.UTF_8));
        if (page.indexOf('<', 1) >= 0 && !page.matches("(?s)<ul class=\"rules\">(<li>(<code class=\"rule\">[^<]*</code>: )?"
                + "[^<]*</li>)*</ul>")) {
            throw new AssertionError("markup from the verdict text reached the page: " + page);
        }
    }
}
