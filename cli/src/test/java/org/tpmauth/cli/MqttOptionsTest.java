package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a failed MQTT connection says: the causes' messages, without class names, never nothing. */
class MqttOptionsTest {
    @Test
    void theCauseChainIsReadWithoutClassNames() {
        Exception paho = new Exception((String) null, new IOException(
                "javax.net.ssl.SSLHandshakeException: Received fatal alert: unknown_ca",
                new SSLHandshakeException("Received fatal alert: unknown_ca")));
        assertEquals("Received fatal alert: unknown_ca", MqttOptions.reasons(paho));
        assertEquals("Connection lost: broken pipe; the broker closed the connection (did it refuse the certificate?)",
                MqttOptions.reasons(new Exception("Connection lost", new IOException("broken pipe"))));
        // Paho's own wrapping repeats the simple class name
        assertEquals("Broken pipe; the broker closed the connection (did it refuse the certificate?)",
                MqttOptions.reasons(new Exception("MqttException: Broken pipe")));
        // and Paho's exception around a socket error says only its class name
        assertEquals("Broken pipe; the broker closed the connection (did it refuse the certificate?)",
                MqttOptions.reasons(new org.eclipse.paho.client.mqttv3.MqttException(
                        new java.net.SocketException("Broken pipe"))));
        assertEquals("Broken pipe; the broker closed the connection (did it refuse the certificate?)",
                MqttOptions.reasons(new org.eclipse.paho.mqttv5.common.MqttException(
                        new java.net.SocketException("Broken pipe"))));
    }

    @Test
    void noMessageAnywhereStillSaysSomething() {
        assertEquals("the broker closed the connection (did it refuse the certificate?)",
                MqttOptions.reasons(new Exception((String) null)));
    }
}
