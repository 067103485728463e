package org.tpmauth.attest.service.operator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The pieces every operator page is made of. Every value that came from a machine or the database
 * (device names, rule texts, event descriptions, reasons) goes through {@link #text} or {@link #query}
 * before it lands in the HTML.
 */
final class Html {
    /** The style sheet, served at {@code /operator/style.css} (the pages' CSP allows no inline style). */
    static final String STYLE = """
            body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
            header { background: #243447; color: #fff; padding: .6em 1.2em; display: flex; gap: 1.5em; align-items: baseline; }
            header a { color: #fff; font-weight: 600; text-decoration: none; }
            header .who { margin-left: auto; font-size: 90%; opacity: .85; }
            main { padding: 1em 1.2em; }
            table { border-collapse: collapse; width: 100%; background: #fff; }
            th, td { text-align: left; vertical-align: top; padding: .45em .6em; border-bottom: 1px solid #ddd; }
            td { overflow-wrap: anywhere; }
            td.nowrap { white-space: nowrap; }
            th { background: #eef1f4; font-weight: 600; }
            tr.failed td { background: #fde2e1; }
            tr.failed td.state { color: #b00020; font-weight: 700; }
            tr.passed td.state { color: #1b7f3b; font-weight: 700; }
            tr.revoked td { color: #666; }
            .badge { display: inline-block; padding: 0 .45em; border-radius: .3em; font-size: 85%; font-weight: 600; }
            .badge.revoked { background: #555; color: #fff; }
            .badge.expired { background: #b00020; color: #fff; }
            ul.rules { margin: 0; padding-left: 1.1em; }
            code.rule { font-weight: 700; color: #b00020; }
            form.revoke { margin-top: 1em; }
            button.danger { background: #b00020; color: #fff; border: 0; padding: .45em 1em; border-radius: .3em; font-weight: 600; }
            input[type=text] { width: 30em; max-width: 100%; padding: .3em; }
            p.note { color: #555; }
            """;

    private Html() {
    }

    /** {@code s} as HTML text or attribute value (quoted with "). */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code s} as a query parameter value, escaped for an attribute too. */
    static String query(String s) {
        return text(URLEncoder.encode(s, StandardCharsets.UTF_8));
    }

    /** The link to a device's timeline page. */
    static String machineLink(String device) {
        return "<a class=\"machine\" href=\"/operator/machine?device=" + query(device) + "\">" + text(device) + "</a>";
    }

    /** A whole page: title, the navigation with the operator's name, and {@code body} (already HTML). */
    static String page(String title, String operator, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + text(title)
                + " - tpmauth attestation service</title><link rel=\"stylesheet\" href=\"/operator/style.css\"></head>"
                + "<body><header><a href=\"/operator/\">tpmauth fleet</a><span>" + text(title) + "</span>"
                + "<span class=\"who\">operator: " + text(operator) + "</span></header><main>\n" + body
                + "\n</main></body></html>\n";
    }

    /** An instant to the second, UTC. */
    static String time(Instant at) {
        return text(at.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ').replace("Z", " UTC"));
    }

    /** A certificate's expiry relative to {@code now}: "in 7 h 59 min" or an "expired ... ago" badge. */
    static String expiry(Instant notAfter, Instant now) {
        if (notAfter == null) {
            return "no certificate";
        }
        Duration left = Duration.between(now, notAfter);
        String when = "<span title=\"" + time(notAfter) + "\">";
        return left.isNegative() ? when + "<span class=\"badge expired\">expired</span> " + span(left.negated())
                + " ago</span>" : when + "in " + span(left) + "</span>";
    }

    private static String span(Duration d) {
        if (d.toDays() > 0) {
            return d.toDays() + " d " + d.toHoursPart() + " h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
