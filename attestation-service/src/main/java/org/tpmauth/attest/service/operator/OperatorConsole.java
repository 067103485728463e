package org.tpmauth.attest.service.operator;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.SecretKey;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.tpmauth.attest.service.Database;

/**
 * The operator's view of the fleet under {@code /operator/}: server-rendered HTML, no script. Every
 * request needs an operator's client certificate ({@link OperatorAccess}); anything else gets 403 with
 * the reason. Pages:
 * <ul>
 * <li>{@code GET /operator/}: {@link FleetPage}</li>
 * <li>{@code GET /operator/machine?device=D}: {@link MachinePage}</li>
 * <li>{@code GET /operator/revoke?device=D}: {@link RevokePage}, the confirmation</li>
 * <li>{@code POST /operator/revoke} (device, reason, token): revokes, then back to the machine's page</li>
 * </ul>
 */
public final class OperatorConsole {
    static final int MAX_REASON = 500;
    private static final Logger LOG = Logger.getLogger(OperatorConsole.class.getName());
    private static final int MAX_FORM = 8192;
    /** No script, no inline style, no framing, forms only to this origin. */
    private static final String CSP = "default-src 'none'; style-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";

    private final Database database;
    private final OperatorAccess access;
    private final FormToken tokens;

    /**
     * @param access   who is an operator; null when the service has no operator CA (the pages are off)
     * @param tokenKey the service's shared token key, from which the form tokens' key is derived
     */
    public OperatorConsole(Database database, OperatorAccess access, SecretKey tokenKey) {
        this.database = database;
        this.access = access;
        this.tokens = new FormToken(tokenKey);
    }

    /** An answer: status, content type, body, and where to go next (a 303 redirect) if anywhere. */
    private record Page(int status, String contentType, String body, String location) {
        static Page html(int status, String body) {
            return new Page(status, "text/html; charset=utf-8", body, null);
        }

        static Page seeOther(String location) {
            return new Page(303, "text/plain; charset=utf-8", "", location);
        }
    }

    /** A refused request: the status, and the reason the page shows. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Serves one request under {@code /operator}.
     *
     * @param chain the TLS client's validated chain (leaf first, empty without a certificate)
     */
    public void serve(ClassicHttpRequest request, ClassicHttpResponse response, List<X509Certificate> chain) {
        Page page;
        try {
            page = route(request, operator(chain));
        } catch (Refused r) {
            page = Page.html(r.status, refusal(r));
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, request.getPath() + " failed", e);
            page = Page.html(500, refusalPage("The service failed", "The database could not be read or written: "
                    + e.getMessage() + ". Try again; if it persists, look at the service's log."));
        }
        send(response, page);
    }

    private Operator operator(List<X509Certificate> chain) throws Refused {
        if (access == null) {
            throw new Refused(403, "The operator pages are off: this service was started without an operator CA. "
                    + "Start it with --operator-ca ca.pem (tpmauth attest server --help).");
        }
        if (chain.isEmpty()) {
            throw new Refused(403, "The operator pages need an operator's client certificate, and this browser sent "
                    + "none. Import your operator certificate (a PKCS#12 file) into the browser and reload; "
                    + "the README's \"Operator's view\" says how.");
        }
        Optional<Operator> operator = access.operator(chain);
        if (operator.isEmpty()) {
            throw new Refused(403, "The certificate " + chain.get(0).getSubjectX500Principal().getName()
                    + " is not an operator certificate (its issuer is " + chain.get(0).getIssuerX500Principal().getName()
                    + ", not an operator CA of this service); a machine certificate does not open these pages. "
                    + "Use a certificate from the operator CA.");
        }
        return operator.get();
    }

    private Page route(ClassicHttpRequest request, Operator operator) throws Refused, SQLException, IOException {
        URI uri;
        try {
            uri = request.getUri();
        } catch (URISyntaxException e) {
            throw new Refused(400, "The address is not a valid URI: " + e.getMessage());
        }
        String path = uri.getPath();
        String method = request.getMethod();
        Map<String, String> query = form(uri.getRawQuery());
        Instant now = Instant.now();
        switch (path) {
            case "/operator", "/operator/" -> {
                requireMethod(method, "GET");
                return Page.html(200, FleetPage.render(database.machines(), now, operator.name()));
            }
            case "/operator/style.css" -> {
                requireMethod(method, "GET");
                return new Page(200, "text/css; charset=utf-8", Html.STYLE, null);
            }
            case "/operator/machine" -> {
                requireMethod(method, "GET");
                Database.Machine m = machine(query.get("device"));
                return Page.html(200, MachinePage.render(m, database.verdicts(m.device()), now, operator.name()));
            }
            case "/operator/revoke" -> {
                if (method.equals("POST")) {
                    return revoke(request, operator, now);
                }
                requireMethod(method, "GET");
                Database.Machine m = machine(query.get("device"));
                if (m.revocation() != null) {
                    return Page.seeOther(machineUrl(m.device()));
                }
                return Page.html(200, RevokePage.render(m, tokens.issue(operator, m.device(), now), operator.name()));
            }
            default -> throw new Refused(404, "There is no operator page at " + path + "; the fleet is at /operator/.");
        }
    }

    private Page revoke(ClassicHttpRequest request, Operator operator, Instant now) throws Refused, SQLException, IOException {
        sameOrigin(request);
        Map<String, String> form = form(readForm(request));
        Database.Machine m = machine(form.get("device"));
        if (!tokens.valid(form.get("token"), operator, m.device(), now)) {
            throw new Refused(403, "This confirmation is not valid: it expired (after " + FormToken.LIFETIME.toMinutes()
                    + " minutes), was made for another operator or machine, or did not come from this service's "
                    + "page. Open the machine's page and revoke it again.");
        }
        String reason = form.getOrDefault("reason", "").strip();
        if (reason.isEmpty() || reason.length() > MAX_REASON) {
            throw new Refused(400, "Give a reason of 1 to " + MAX_REASON + " characters; the machine is told it.");
        }
        if (m.revocation() == null) {
            database.revoke(m.device(), reason + " (revoked by operator " + operator.name() + ")");
            LOG.info(() -> "operator " + operator.name() + " revoked " + m.device());
        }
        return Page.seeOther(machineUrl(m.device()));
    }

    /** Browsers say where a POST came from; one from another site is refused even before the token is checked. */
    private static void sameOrigin(ClassicHttpRequest request) throws Refused {
        String site = header(request, "Sec-Fetch-Site");
        String origin = header(request, "Origin");
        String host = header(request, "Host");
        if ((site != null && !site.equals("same-origin")) || (origin != null && !origin.equals("https://" + host))) {
            throw new Refused(403, "A revocation must come from this service's own page, not from another site.");
        }
    }

    private Database.Machine machine(String device) throws Refused, SQLException {
        if (device == null || device.isEmpty()) {
            throw new Refused(400, "Name the machine: ?device=tpm-...");
        }
        return database.machine(device).orElseThrow(() -> new Refused(404, "The service knows no machine "
                + device + "; the fleet is at /operator/."));
    }

    private static String machineUrl(String device) {
        return "/operator/machine?device=" + java.net.URLEncoder.encode(device, StandardCharsets.UTF_8);
    }

    private static void requireMethod(String method, String expected) throws Refused {
        if (!method.equals(expected)) {
            throw new Refused(405, "This page answers " + expected + " only.");
        }
    }

    /** The request's first header of that name, or null. */
    private static String header(ClassicHttpRequest request, String name) {
        Header h = request.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static String readForm(ClassicHttpRequest request) throws IOException, Refused {
        HttpEntity entity = request.getEntity();
        if (entity == null) {
            return "";
        }
        try (InputStream in = entity.getContent()) {
            byte[] body = in.readNBytes(MAX_FORM + 1);
            if (body.length > MAX_FORM) {
                throw new Refused(413, "The form is larger than " + MAX_FORM + " bytes.");
            }
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** application/x-www-form-urlencoded (a query string or a form body); the first value of a name wins. */
    static Map<String, String> form(String encoded) throws Refused {
        Map<String, String> out = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        try {
            for (String pair : encoded.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                out.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            throw new Refused(400, "The request's parameters are not URL-encoded: " + e.getMessage());
        }
        return out;
    }

    private static String refusal(Refused r) {
        String title = switch (r.status) {
            case 403 -> "Access refused";
            case 404 -> "Not found";
            default -> "Request refused";
        };
        return refusalPage(title, r.getMessage());
    }

    private static String refusalPage(String title, String message) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + Html.text(title)
                + "</title></head><body><h1>" + Html.text(title) + "</h1><p id=\"reason\">" + Html.text(message)
                + "</p></body></html>\n";
    }

    private static void send(ClassicHttpResponse response, Page page) {
        byte[] body = page.body().getBytes(StandardCharsets.UTF_8);
        response.setCode(page.status());
        response.setHeader("Content-Type", page.contentType());
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "same-origin"); // "no-referrer" would make the browser send "Origin: null"
        response.setHeader("Cache-Control", "no-store");
        if (page.location() != null) {
            response.setHeader("Location", page.location());
        }
        if (body.length > 0) {
            response.setEntity(new ByteArrayEntity(body, null));
        }
    }
}
