package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * Eclipse Paho MQTT clients (v3 and v5) authenticated by a TPM key over mutual TLS: one call from a
 * key file, its certificate and the broker's CA to a socket factory or to connection options.
 * The key and certificate are checked against each other here, before any connection.
 */
public final class TpmMqtt {
    private TpmMqtt() {
    }

    /** A BC-JSSE socket factory presenting the TPM key (TLS 1.3 or 1.2) and trusting only {@code caFile}. */
    public static SSLSocketFactory socketFactory(TpmKeys keys, Path keyFile, Path certFile, Path caFile,
            char[] password) throws IOException, GeneralSecurityException {
        return socketFactory(TpmKeyManager.fromFiles(keys, keyFile, certFile, password), caFile);
    }

    public static SSLSocketFactory socketFactory(TpmKeyManager keyManager, Path caFile)
            throws IOException, GeneralSecurityException {
        return TpmSslContexts.create(TpmSslContexts.Engine.BC_JSSE, keyManager, caFile).getSocketFactory();
    }

    /** Paho v3 options: TLS with the TPM key, server host name checked, clean session. */
    public static MqttConnectOptions v3Options(SSLSocketFactory factory) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(factory);
        options.setHttpsHostnameVerificationEnabled(true);
        options.setCleanSession(true);
        return options;
    }

    /** Paho v5 options: TLS with the TPM key, server host name checked, clean start. */
    public static MqttConnectionOptions v5Options(SSLSocketFactory factory) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setSocketFactory(factory);
        options.setHttpsHostnameVerificationEnabled(true);
        options.setCleanStart(true);
        return options;
    }

    /** The one-call v3 form. */
    public static MqttConnectOptions v3Options(TpmKeys keys, Path keyFile, Path certFile, Path caFile, char[] password)
            throws IOException, GeneralSecurityException {
        return v3Options(socketFactory(keys, keyFile, certFile, caFile, password));
    }

    /** The one-call v5 form. */
    public static MqttConnectionOptions v5Options(TpmKeys keys, Path keyFile, Path certFile, Path caFile,
            char[] password) throws IOException, GeneralSecurityException {
        return v5Options(socketFactory(keys, keyFile, certFile, caFile, password));
    }

    /** A Paho call; v3 and v5 throw different MqttException types. */
    interface PahoCall {
        void run() throws Exception;
    }

    /** Paho's disconnect-then-close, its exceptions turned into IOException. */
    static void close(boolean connected, PahoCall disconnect, PahoCall close) throws IOException {
        try {
            if (connected) {
                disconnect.run();
            }
            close.run();
        } catch (Exception e) {
            throw new IOException("MQTT disconnect failed: " + e.getMessage(), e);
        }
    }
}
