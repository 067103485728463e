package org.tpmauth.attest.service.operator;

import org.tpmauth.attest.service.Database;

/** {@code /operator/revoke?device=...}: the confirmation step, a form whose POST carries a {@link FormToken}. */
final class RevokePage {
    private RevokePage() {
    }

    static String render(Database.Machine m, String token, String operator) {
        String device = Html.text(m.device());
        String body = "<h1>Revoke " + device + "?</h1>"
                + "<p>The service will refuse this machine's renewals and enrollments, and the CRL will list its "
                + "unexpired certificates. The revocation is recorded with your name and cannot be undone.</p>"
                + "<form id=\"confirm\" method=\"post\" action=\"/operator/revoke\">"
                + "<input type=\"hidden\" name=\"device\" value=\"" + device + "\">"
                + "<input type=\"hidden\" name=\"token\" value=\"" + Html.text(token) + "\">"
                + "<p><label>Reason (the machine is told it when it renews)<br><input type=\"text\" id=\"reason\" "
                + "name=\"reason\" required maxlength=\"" + OperatorConsole.MAX_REASON + "\"></label></p>"
                + "<p><button id=\"confirm-revoke\" class=\"danger\" type=\"submit\">Revoke " + device + "</button> "
                + "<a href=\"/operator/machine?device=" + Html.query(m.device()) + "\">Cancel</a></p></form>";
        return Html.page("Revoke " + m.device(), operator, body);
    }
}
