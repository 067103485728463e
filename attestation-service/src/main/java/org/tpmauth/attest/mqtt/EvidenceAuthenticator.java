package org.tpmauth.attest.mqtt;

import com.hivemq.extension.sdk.api.auth.EnhancedAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.EnhancedAuthConnectInput;
import com.hivemq.extension.sdk.api.auth.parameter.EnhancedAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.EnhancedAuthOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tpmauth.attest.service.AttestedTls;
import org.tpmauth.attest.service.Refusal;
import org.tpmauth.attest.service.TlsFrontend;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tls.bound.CertificateCheck;

/**
 * The broker's judge of each CONNECT: the connection must have come through the broker's {@link
 * TlsFrontend} (which checked the client certificate and knows the connection's tls-exporter), and,
 * when a reference state is required, carry evidence of method {@value MqttAuthData#METHOD} that passes
 * {@link AttestedTls#judge}, the same judgement as the TLS form. A refusal is a CONNACK with reason code
 * Bad authentication method (no or another method) or Not authorized, and a reason string with a
 * "FAIL rule: message" per broken rule, separated by "; ".
 */
final class EvidenceAuthenticator implements EnhancedAuthenticator {
    /** Between the failures in a refusal's reason string. */
    static final String REASON_SEPARATOR = "; ";

    private final Function<InetAddress, TlsFrontend.Peer> connections;
    private final CertificateCheck clients;
    private final RefState ref;
    private final Consumer<String> events;

    /**
     * @param connections the front's TLS connection whose relay connects from an address
     * @param ref         the reference state the evidence must pass, or null to require only the TLS client certificate
     */
    EvidenceAuthenticator(Function<InetAddress, TlsFrontend.Peer> connections, CertificateCheck clients, RefState ref,
            Consumer<String> events) {
        this.connections = connections;
        this.clients = clients;
        this.ref = ref;
        this.events = events;
    }

    @Override
    public void onConnect(EnhancedAuthConnectInput input, EnhancedAuthOutput output) {
        String clientId = input.getClientInformation().getClientId();
        TlsFrontend.Peer peer = input.getConnectionInformation().getInetAddress().map(connections).orElse(null);
        if (peer == null || peer.chain().isEmpty()) {
            refuse(output, DisconnectedReasonCode.NOT_AUTHORIZED, clientId, List.of(new Failure("tls",
                    "the connection did not come through the broker's TLS port with a client certificate")));
            return;
        }
        String who = peer.chain().get(0).getSubjectX500Principal().getName() + " (client id " + clientId + ")";
        if (ref == null) {
            output.authenticateSuccessfully();
            events.accept("accepted " + who);
            return;
        }
        ConnectPacket connect = input.getConnectPacket();
        String method = connect.getAuthenticationMethod().orElse(null);
        if (!MqttAuthData.METHOD.equals(method)) {
            refuse(output, DisconnectedReasonCode.BAD_AUTHENTICATION_METHOD, who, List.of(new Failure("auth-method",
                    "this broker admits clients only with authentication method " + MqttAuthData.METHOD + " (evidence "
                    + "bound to the TLS connection), not " + (method == null ? "none" : "'" + method + "'")
                    + "; connect with tpmauth mqtt publish --attest")));
            return;
        }
        List<Failure> failures;
        try {
            failures = AttestedTls.judge(MqttAuthData.decode(connect.getAuthenticationData().map(
                    EvidenceAuthenticator::bytes).orElse(null)), peer.chain().get(0), clients, ref, peer.exporter());
        } catch (Refusal r) {
            failures = r.failures();
        }
        if (failures.isEmpty()) {
            output.authenticateSuccessfully();
            events.accept("accepted " + who + ": attestation OK");
        } else {
            refuse(output, DisconnectedReasonCode.NOT_AUTHORIZED, who, failures);
        }
    }

    /** No round after CONNECT is offered: the evidence is complete in it. */
    @Override
    public void onAuth(EnhancedAuthInput input, EnhancedAuthOutput output) {
        output.failAuthentication(DisconnectedReasonCode.PROTOCOL_ERROR, "method " + MqttAuthData.METHOD
                + " takes no AUTH packets: the evidence travels in CONNECT");
    }

    /**
     * Re-authentication is not offered: evidence bound to the connection's exporter alone would be the
     * CONNECT's again, proving nothing new. A client that wants to show a fresh state reconnects.
     */
    @Override
    public void onReAuth(EnhancedAuthInput input, EnhancedAuthOutput output) {
        output.failAuthentication(DisconnectedReasonCode.NOT_AUTHORIZED, "re-authentication is not offered by "
                + MqttAuthData.METHOD + "; reconnect to present fresh evidence");
    }

    /** The reason string holds the failures as "FAIL rule: message" joined by "; " (MQTT forbids control characters). */
    private void refuse(EnhancedAuthOutput output, DisconnectedReasonCode code, String who, List<Failure> failures) {
        String reason = String.join(REASON_SEPARATOR, Refusal.text(failures).strip().lines().toList());
        output.failAuthentication(code, reason);
        events.accept("refused " + who + ": " + code + ": " + reason);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
