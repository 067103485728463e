package org.tpmauth.attest.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.HttpProcessors;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.http.impl.io.DefaultClassicHttpResponseFactory;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.protocol.BasicHttpContext;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.UriPatternMatcher;
import org.apache.hc.core5.util.Timeout;
import org.tpmauth.tls.bound.BoundConnection;

/**
 * HTTP/1.1 on the connections a {@link TlsFrontend} terminated, on Apache HttpCore's classic server
 * (request parsing, keep-alive, chunked bodies, 100-continue): the decrypted request is parsed from the
 * TLS stream in the front end's thread and goes to its handler with its connection's {@link TlsFrontend.Peer},
 * with no second socket between TLS and HTTP. At most {@code concurrency} requests are handled at once;
 * the others wait with their bodies unread, held back by TCP's flow control.
 */
public final class TlsHttpServer implements TlsFrontend.Service {
    /** How long a kept-alive connection may wait for its next request (also the limit for each read). */
    private static final Timeout IDLE = Timeout.ofSeconds(30);
    private static final String PEER = TlsFrontend.Peer.class.getName();

    /** Answers one request that came on the TLS connection {@code peer} describes. */
    public interface Handler {
        void handle(ClassicHttpRequest request, ClassicHttpResponse response, TlsFrontend.Peer peer) throws IOException;
    }

    /** By path alone: the service answers whatever name the client used for it (HttpCore's registry would check it). */
    private final UriPatternMatcher<HttpRequestHandler> routes = new UriPatternMatcher<>();
    /** HttpCore answers a path without a handler with 501; a path the service does not have is 404. */
    private static final HttpRequestHandler NOT_FOUND = (request, response, context) -> {
        response.setCode(HttpStatus.SC_NOT_FOUND);
        response.setEntity(new StringEntity("no such path\n", ContentType.TEXT_PLAIN));
    };
    private final HttpService http = new HttpService(HttpProcessors.server(), (request, context) -> Objects.requireNonNullElse(
            routes.lookup(withoutQuery(request.getPath())), NOT_FOUND), DefaultConnectionReuseStrategy.INSTANCE,
            DefaultClassicHttpResponseFactory.INSTANCE);
    private final Semaphore working;

    public TlsHttpServer(int concurrency) {
        this.working = new Semaphore(concurrency);
    }

    /** Sends requests whose path is {@code pattern} (or starts with it, for a pattern ending in *) to {@code handler}. */
    public TlsHttpServer route(String pattern, Handler handler) {
        routes.register(pattern, (request, response, context) -> {
            try {
                working.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the service is stopping");
            }
            try {
                handler.handle(request, response, (TlsFrontend.Peer) context.getAttribute(PEER));
            } finally {
                working.release();
            }
        });
        return this;
    }

    @Override
    public void serve(BoundConnection tls, TlsFrontend.Peer peer) throws IOException {
        HttpContext context = new BasicHttpContext();
        context.setAttribute(PEER, peer);
        try (Connection connection = new Connection(tls)) {
            connection.setSocketTimeout(IDLE);
            while (connection.isOpen()) {
                http.handleRequest(connection, context);
            }
        } catch (HttpException e) {
            throw new IOException("HTTP failed: " + e.getMessage(), e);
        }
    }

    /** A request's path (as sent, not decoded) without its query. */
    static String withoutQuery(String path) {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** HttpCore's server connection on the TLS connection's streams; closing it ends TLS with a close_notify. */
    private static final class Connection extends DefaultBHttpServerConnection {
        private final BoundConnection tls;

        Connection(BoundConnection tls) throws IOException {
            super(null, Http1Config.DEFAULT);
            this.tls = tls;
            bind(new SocketHolder(tls.socket()) {
                @Override
                protected InputStream getInputStream(Socket socket) {
                    return tls.in();
                }

                @Override
                protected OutputStream getOutputStream(Socket socket) {
                    return tls.out();
                }
            });
        }

        @Override
        public void close() throws IOException {
            if (!isOpen()) {
                return;
            }
            try {
                flush();
            } finally {
                tls.close();
                super.close();
            }
        }
    }
}
