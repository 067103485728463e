package org.tpmauth.attest.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.bouncycastle.est.ESTClient;
import org.bouncycastle.est.ESTRequest;
import org.bouncycastle.est.ESTResponse;
import org.bouncycastle.est.Source;

/**
 * An {@link ESTClient} on one already-open connection: writes the request and lets Bouncy Castle's
 * {@link ESTResponse} read the answer. (Bouncy Castle's own client opens its connections itself through
 * JSSE, which cannot tell the tls-exporter value afterwards.)
 */
final class BoundEstClient implements ESTClient {
    private final Source<?> source;

    BoundEstClient(Source<?> source) {
        this.source = source;
    }

    @Override
    public ESTResponse doRequest(ESTRequest request) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        request.writeData(body);
        URL url = request.getURL();
        StringBuilder head = new StringBuilder(request.getMethod()).append(' ').append(url.getPath())
                .append(url.getQuery() == null ? "" : "?" + url.getQuery()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(url.getHost()).append(url.getPort() < 0 ? "" : ":" + url.getPort()).append("\r\n");
        for (Map.Entry<String, String[]> h : request.getHeaders().entrySet()) {
            if (!h.getKey().equalsIgnoreCase("Host") && !h.getKey().equalsIgnoreCase("Content-Length")) {
                for (String v : h.getValue()) {
                    head.append(h.getKey()).append(": ").append(v).append("\r\n");
                }
            }
        }
        if (body.size() > 0) {
            head.append("Content-Length: ").append(body.size()).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        OutputStream out = source.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        body.writeTo(out);
        out.flush();
        return new ESTResponse(request, source);
    }
}
