package org.tpmauth.attest.client;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.InterruptedIOException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttConnAck;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.tpmauth.attest.mqtt.AttestedMqttBroker;
import org.tpmauth.attest.mqtt.MqttAuthData;
import org.tpmauth.tls.TpmMqttClient;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * The MQTT 5 client of an {@link AttestedMqttBroker}: the TLS handshake (TLS 1.3 on Bouncy Castle's
 * protocol classes, the TPM key signing) comes first, so the connection's tls-exporter is known before
 * the CONNECT is built; its authentication data (method {@value MqttAuthData#METHOD}) is a quote whose
 * nonce derives from that exporter. Paho then runs MQTT over the established connection, handed to it
 * as the one socket of its socket factory ({@code tcp://}: the TLS is ours).
 */
public final class AttestedMqttClient {
    /** The most of the broker's first bytes kept to explain a refusal: a CONNACK with a long reason string. */
    private static final int CONNACK_CAPTURE = 70_000;

    private AttestedMqttClient() {
    }

    /**
     * Connects with evidence; returns the client once the broker accepted it.
     *
     * @param attester the TPM side of the evidence, or null to send none (a broker that requires no attestation)
     * @throws MqttRefusal when the broker refused the CONNECT (its reason code and reason string)
     */
    public static TpmMqttClient connect(String host, int port, String clientId, TlsIdentity identity,
            CertificateCheck serverCheck, AttestedTlsClient.Attester attester) throws IOException {
        return attester == null ? connect(host, port, clientId, identity, serverCheck, null, null)
                : connect(host, port, clientId, identity, serverCheck, MqttAuthData.METHOD,
                        exporter -> MqttAuthData.encode(attester.frame(exporter)));
    }

    /**
     * Connects with any authentication method and data; the data is made for the connection's
     * tls-exporter value.
     *
     * @param authMethod the CONNECT's authentication method, or null for none (then no data either)
     * @param authData   the authentication data for an exporter value
     * @throws MqttRefusal when the broker refused the CONNECT
     */
    public static TpmMqttClient connect(String host, int port, String clientId, TlsIdentity identity,
            CertificateCheck serverCheck, String authMethod, UnaryOperator<byte[]> authData) throws IOException {
        Socket tcp = new Socket(host, port);
        BoundConnection tls;
        try {
            tcp.setTcpNoDelay(true);
            tls = BoundTls.connect(tcp, identity, serverCheck);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
        FirstBytes first = new FirstBytes(tls.in());
        OutputStream out = new FilterOutputStream(tls.out()) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                first.sent();
                this.out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                first.sent();
                this.out.write(b);
            }
        };
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(new OneSocket(tls, first, out));
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        try {
            if (authMethod != null) {
                options.setAuthMethod(authMethod);
                options.setAuthData(authData.apply(tls.exporter()));
            }
            TpmMqttClient client = TpmMqttClient.connectV5("tcp://" + host + ":" + port, clientId, options);
            first.stop();
            return client;
        } catch (Exception e) {
            tls.close();
            MqttRefusal refusal = first.refusal();
            if (refusal != null) {
                throw refusal;
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("MQTT 5 connect to " + host + ":" + port + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The broker's side of the connection as Paho reads it. It keeps the first bytes until connected,
     * as Paho drops a refusing CONNACK's reason string. And it holds back an end or error of the stream
     * until Paho has sent its CONNECT: Paho 1.2.5's receiver start waits for the receiver to be running
     * and waits forever if the receiver already stopped, which it does when the first read fails at once
     * (a TLS 1.3 server refuses our certificate only after the handshake).
     */
    private static final class FirstBytes extends FilterInputStream {
        private static final long HOLD_SECONDS = 30;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CountDownLatch connectSent = new CountDownLatch(1);
        private volatile boolean keeping = true;

        FirstBytes(InputStream in) {
            super(in);
        }

        /** Paho wrote (the CONNECT): its receiver runs. */
        void sent() {
            connectSent.countDown();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (IOException e) {
                holdUntilConnectSent();
                throw e;
            }
            if (n > 0) {
                keep(b, off, n);
            } else if (n < 0) {
                holdUntilConnectSent();
            }
            return n;
        }

        private void holdUntilConnectSent() throws IOException {
            try {
                connectSent.await(HOLD_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        private synchronized void keep(byte[] b, int off, int n) {
            if (keeping && kept.size() < CONNACK_CAPTURE) {
                kept.write(b, off, Math.min(n, CONNACK_CAPTURE - kept.size()));
            }
        }

        synchronized void stop() {
            keeping = false;
            kept.reset();
        }

        /** The refusal the kept CONNACK says, or null (no CONNACK, or one that accepted). */
        synchronized MqttRefusal refusal() {
            try {
                if (MqttWireMessage.createWireMessage(kept.toByteArray()) instanceof MqttConnAck ack
                        && ack.getReturnCode() >= 0x80) {
                    return new MqttRefusal(ack.getReturnCode(), ack.getProperties().getReasonString());
                }
            } catch (MqttException e) {
                // not a complete CONNACK: the connection failed otherwise
            }
            return null;
        }
    }

    /** Paho's socket factory for one connection that is already established. */
    private static final class OneSocket extends SocketFactory {
        private final BoundConnection tls;
        private final InputStream in;
        private final OutputStream out;

        OneSocket(BoundConnection tls, InputStream in, OutputStream out) {
            this.tls = tls;
            this.in = in;
            this.out = out;
        }

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public void connect(SocketAddress endpoint, int timeout) {
                    // connected and handshaken before the CONNECT was built
                }

                @Override
                public InputStream getInputStream() {
                    return in;
                }

                @Override
                public OutputStream getOutputStream() {
                    return out;
                }

                @Override
                public void setSoTimeout(int timeout) {
                    // reads block until data or close: a timeout inside a TLS record would tear the record
                }

                @Override
                public void shutdownInput() throws IOException {
                    tls.socket().shutdownInput();
                }

                @Override
                public boolean isConnected() {
                    return !tls.socket().isClosed();
                }

                @Override
                public synchronized void close() throws IOException {
                    try {
                        tls.close();
                    } finally {
                        super.close();
                    }
                }
            };
        }

        private static UnsupportedOperationException onlyOne() {
            return new UnsupportedOperationException("this factory hands out its one established connection");
        }

        @Override
        public Socket createSocket(String host, int port) {
            throw onlyOne();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
            throw onlyOne();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
            throw onlyOne();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
            throw onlyOne();
        }
    }
}
