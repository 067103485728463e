package org.tpmauth.attest.service.operator;

import java.util.ArrayList;
import java.util.List;

/**
 * One broken rule of a recorded verdict, read back from its text ("FAIL rule: message" lines, the
 * message naming the event that broke the rule where the verifier knows it). A line in another form
 * (e.g. "revoked: reason") is kept whole as the message, with no rule.
 */
record FailedRule(String rule, String message) {
    private static final String FAIL = "FAIL ";

    static List<FailedRule> parse(String failures) {
        List<FailedRule> out = new ArrayList<>();
        for (String line : failures.split("\n")) {
            String l = line.strip();
            int colon = l.indexOf(": ");
            if (l.startsWith(FAIL) && colon > FAIL.length()) {
                out.add(new FailedRule(l.substring(FAIL.length(), colon), l.substring(colon + 2)));
            } else if (!l.isEmpty() && !l.startsWith("OK")) {
                out.add(new FailedRule("", l));
            }
        }
        return out;
    }

    /** The rules as an HTML list: each rule name in bold, then its message. */
    static String list(String failures) {
        StringBuilder sb = new StringBuilder("<ul class=\"rules\">");
        for (FailedRule f : parse(failures)) {
            sb.append("<li>");
            if (!f.rule().isEmpty()) {
                sb.append("<code class=\"rule\">").append(Html.text(f.rule())).append("</code>: ");
            }
            sb.append(Html.text(f.message())).append("</li>");
        }
        return sb.append("</ul>").toString();
    }
}
