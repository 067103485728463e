package org.tpmauth.tls;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A connected Paho MQTT client (protocol v3.1.1 or v5) behind one small interface, for tools that
 * offer both: connect over TLS with the TPM key, publish, subscribe, close.
 */
public sealed interface TpmMqttClient extends AutoCloseable {
    void publish(String topic, byte[] payload, int qos) throws Exception;

    /** Subscribes; {@code listener} gets (topic, payload) on Paho's callback thread. */
    void subscribe(String topic, int qos, BiConsumer<String, byte[]> listener) throws Exception;

    /** Disconnects and releases the client. */
    @Override
    void close() throws IOException;

    /** Connects to {@code broker} ("ssl://host:port") with MQTT v5 when {@code v5}, else v3.1.1. */
    static TpmMqttClient connect(String broker, String clientId, SSLSocketFactory factory, boolean v5)
            throws Exception {
        return v5 ? new V5(broker, clientId, TpmMqtt.v5Options(factory)) : new V3(broker, clientId, factory);
    }

    /**
     * Connects with MQTT v5 and the given options, for callers that set more than the TLS socket factory
     * (e.g. authentication method and data).
     */
    static TpmMqttClient connectV5(String broker, String clientId, MqttConnectionOptions options) throws Exception {
        return new V5(broker, clientId, options);
    }

    /** MQTT 3.1.1 through org.eclipse.paho.client.mqttv3. */
    final class V3 implements TpmMqttClient {
        private final org.eclipse.paho.client.mqttv3.MqttClient client;

        V3(String broker, String clientId, SSLSocketFactory factory) throws MqttException {
            client = new org.eclipse.paho.client.mqttv3.MqttClient(broker, clientId, new MemoryPersistence());
            client.connect(TpmMqtt.v3Options(factory));
        }

        @Override
        public void publish(String topic, byte[] payload, int qos) throws MqttException {
            client.publish(topic, payload, qos, false);
        }

        @Override
        public void subscribe(String topic, int qos, BiConsumer<String, byte[]> listener) throws MqttException {
            client.subscribe(topic, qos, (t, m) -> listener.accept(t, m.getPayload()));
        }

        @Override
        public void close() throws IOException {
            TpmMqtt.close(client.isConnected(), client::disconnect, client::close);
        }
    }

    /** MQTT 5 through org.eclipse.paho.mqttv5.client (messages reach the client callback). */
    final class V5 implements TpmMqttClient {
        private final org.eclipse.paho.mqttv5.client.MqttClient client;
        private volatile BiConsumer<String, byte[]> listener = (t, p) -> { };

        V5(String broker, String clientId, MqttConnectionOptions options)
                throws org.eclipse.paho.mqttv5.common.MqttException {
            client = new org.eclipse.paho.mqttv5.client.MqttClient(broker, clientId,
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            client.setCallback(new MqttCallback() {
                @Override
                public void disconnected(MqttDisconnectResponse response) {
                }

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    listener.accept(topic, message.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {
                }
            });
            // Paho's synchronous calls wait forever by default; a broker that never answers must not hang us
            client.setTimeToWait(TimeUnit.SECONDS.toMillis(Math.max(options.getConnectionTimeout(), 1)));
            try {
                client.connect(options);
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                client.close(true); // its threads, which a refused connect leaves behind
                throw e;
            }
        }

        @Override
        public void publish(String topic, byte[] payload, int qos) throws org.eclipse.paho.mqttv5.common.MqttException {
            client.publish(topic, payload, qos, false);
        }

        @Override
        public void subscribe(String topic, int qos, BiConsumer<String, byte[]> listener)
                throws org.eclipse.paho.mqttv5.common.MqttException {
            this.listener = listener;
            client.subscribe(topic, qos);
        }

        @Override
        public void close() throws IOException {
            TpmMqtt.close(client.isConnected(), client::disconnect, client::close);
        }
    }
}
