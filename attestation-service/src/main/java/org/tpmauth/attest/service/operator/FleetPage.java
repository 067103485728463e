package org.tpmauth.attest.service.operator;

import java.time.Instant;
import java.util.List;
import org.tpmauth.attest.service.Database;

/** {@code /operator/}: every device, its last verdict (red with the broken rules when it failed), expiry, revocation. */
final class FleetPage {
    private FleetPage() {
    }

    static String render(List<Database.Machine> machines, Instant now, String operator) {
        long failed = machines.stream().filter(m -> !m.last().ok() && m.revocation() == null).count();
        StringBuilder sb = new StringBuilder();
        sb.append("<h1>Enrolled machines</h1><p id=\"summary\">").append(machines.size()).append(" machines, ")
                .append(failed).append(" failing their last check</p>");
        if (machines.isEmpty()) {
            return Html.page("Fleet", operator, sb.append("<p>No machine has contacted the service yet.</p>").toString());
        }
        sb.append("<table id=\"machines\"><thead><tr><th>Machine</th><th>Last verdict</th><th>When</th>"
                + "<th>Broken rules</th><th>Certificate expires</th><th>Revocation</th></tr></thead><tbody>");
        for (Database.Machine m : machines) {
            sb.append(row(m, now));
        }
        return Html.page("Fleet", operator, sb.append("</tbody></table>").toString());
    }

    /** One machine's row; its CSS class says failed, passed or revoked and its id carries the device name. */
    static String row(Database.Machine m, Instant now) {
        Database.Verdict v = m.last();
        String state = m.revocation() != null ? "revoked" : v.ok() ? "passed" : "failed";
        return "<tr class=\"" + state + "\" data-device=\"" + Html.text(m.device()) + "\"><td>"
                + Html.machineLink(m.device()) + "</td><td class=\"state\">" + (v.ok() ? "passed " : "FAILED ")
                + Html.text(v.kind()) + "</td><td class=\"nowrap\">" + Html.time(v.at()) + "</td><td>"
                + (v.ok() ? "" : FailedRule.list(v.failures())) + "</td><td class=\"nowrap\">" + Html.expiry(m.certificateExpiry(), now)
                + "</td><td>" + revocation(m.revocation()) + "</td></tr>";
    }

    static String revocation(Database.Revocation r) {
        return r == null ? "" : "<span class=\"badge revoked\">revoked</span> " + Html.time(r.at()) + ": "
                + Html.text(r.reason());
    }
}
