package org.tpmauth.attest.service.operator;

import java.time.Instant;
import java.util.List;
import org.tpmauth.attest.service.Database;

/** {@code /operator/machine?device=...}: one device's state and the timeline of its verdicts, newest first. */
final class MachinePage {
    private MachinePage() {
    }

    static String render(Database.Machine m, List<Database.Verdict> verdicts, Instant now, String operator) {
        StringBuilder sb = new StringBuilder("<h1>").append(Html.text(m.device())).append("</h1>");
        sb.append("<table id=\"machine\"><thead><tr><th>Machine</th><th>Last verdict</th><th>When</th>"
                + "<th>Broken rules</th><th>Certificate expires</th><th>Revocation</th></tr></thead><tbody>")
                .append(FleetPage.row(m, now)).append("</tbody></table>");
        if (m.revocation() == null) {
            sb.append("<form class=\"revoke\" method=\"get\" action=\"/operator/revoke\"><input type=\"hidden\" "
                    + "name=\"device\" value=\"").append(Html.text(m.device())).append("\"><button id=\"revoke\" "
                    + "class=\"danger\" type=\"submit\">Revoke this machine...</button></form>");
        }
        sb.append("<h2>Timeline</h2><table id=\"timeline\"><thead><tr><th>When</th><th>What</th><th>Verdict</th>"
                + "<th>Broken rules</th></tr></thead><tbody>");
        for (int i = verdicts.size() - 1; i >= 0; i--) {
            Database.Verdict v = verdicts.get(i);
            sb.append("<tr class=\"").append(v.ok() ? "passed" : "failed").append("\"><td class=\"nowrap\">").append(Html.time(v.at()))
                    .append("</td><td class=\"nowrap\">").append(Html.text(v.kind())).append("</td><td class=\"state\">")
                    .append(v.ok() ? "passed" : "FAILED").append("</td><td>")
                    .append(v.ok() ? "" : FailedRule.list(v.failures())).append("</td></tr>");
        }
        return Html.page(m.device(), operator, sb.append("</tbody></table>").toString());
    }
}
