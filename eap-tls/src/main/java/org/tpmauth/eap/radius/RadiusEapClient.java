package org.tpmauth.eap.radius;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.tpmauth.eap.EapPacket;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsPeer;

/**
 * Runs our EAP peer against a RADIUS server, as {@code eapol_test} does: the peer's EAP responses go in
 * Access-Requests (EAP-Message split over attributes, State echoed, Message-Authenticator), the server's
 * EAP requests come back in Access-Challenges, whose authenticators are checked, until Access-Accept
 * (with the MSK in MS-MPPE keys) or Access-Reject. Requests are retransmitted after {@code timeout}.
 */
public final class RadiusEapClient {
    /** More round trips than EAP-TLS with the largest accepted messages needs. */
    private static final int MAX_ROUNDS = 1000;
    /** RFC 2865 5.41: Ethernet. */
    private static final int NAS_PORT_TYPE_ETHERNET = 15;
    private static final int FRAMED_MTU = 1400;

    private final InetSocketAddress server;
    private final byte[] secret;
    private final Duration timeout;
    private final int tries;
    private final SecureRandom random = new SecureRandom();
    private Consumer<String> steps = step -> { };
    private int identifier = random.nextInt(256);

    /**
     * @param tries how often a request is sent before giving up (1 = no retransmission)
     */
    public RadiusEapClient(InetSocketAddress server, byte[] secret, Duration timeout, int tries) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("the RADIUS shared secret is empty");
        }
        this.server = server;
        this.secret = secret.clone();
        this.timeout = timeout;
        this.tries = Math.max(1, tries);
    }

    /** Receives a line per RADIUS packet; for the CLI's report. */
    public RadiusEapClient onStep(Consumer<String> listener) {
        this.steps = listener;
        return this;
    }

    /**
     * Authenticates {@code peer} as {@code identity} (the User-Name; the peer's EAP identity should be the same).
     *
     * @throws IOException when the server does not answer, or answers with packets that fail their checks
     */
    public RadiusResult authenticate(EapTlsPeer peer, String identity) throws IOException {
        // the NAS would send EAP-Request/Identity; the server starts from the peer's answer to it
        Optional<byte[]> eap = peer.receive(EapPacket.request(0, EapPacket.TYPE_IDENTITY, new byte[0]).encode());
        byte[] state = null;
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            for (int round = 0; round < MAX_ROUNDS; round++) {
                if (eap.isEmpty()) {
                    return new RadiusResult(false, peer.result(), null);
                }
                RadiusPacket request = accessRequest(identity, eap.get(), state);
                RadiusPacket response = exchange(socket, request);
                byte[] eapIn = response.joined(RadiusAttribute.EAP_MESSAGE);
                switch (response.code()) {
                    case RadiusPacket.ACCESS_CHALLENGE -> {
                        List<byte[]> states = response.values(RadiusAttribute.STATE);
                        state = states.isEmpty() ? null : states.get(0);
                        eap = peer.receive(eapIn);
                    }
                    case RadiusPacket.ACCESS_ACCEPT -> {
                        peer.receive(eapIn);
                        return new RadiusResult(true, peer.result(), MppeKeys.msk(response, request.authenticator(), secret));
                    }
                    case RadiusPacket.ACCESS_REJECT -> {
                        peer.receive(eapIn.length > 0 ? eapIn : EapPacket.failure(0).encode());
                        return new RadiusResult(false, peer.result(), null);
                    }
                    default -> throw new RadiusFormatException("unexpected " + RadiusPacket.codeName(response.code())
                            + " in answer to an Access-Request");
                }
            }
        }
        return new RadiusResult(false, new EapResult.Failure("no end after " + MAX_ROUNDS + " RADIUS round trips"), null);
    }

    private RadiusPacket accessRequest(String identity, byte[] eap, byte[] state) {
        List<RadiusAttribute> attributes = new ArrayList<>();
        attributes.add(new RadiusAttribute(RadiusAttribute.USER_NAME, identity.getBytes(StandardCharsets.UTF_8)));
        attributes.add(new RadiusAttribute(RadiusAttribute.NAS_IP_ADDRESS, server.getAddress().isLoopbackAddress()
                ? new byte[] {127, 0, 0, 1} : new byte[4]));
        attributes.add(new RadiusAttribute(RadiusAttribute.NAS_PORT_TYPE, intValue(NAS_PORT_TYPE_ETHERNET)));
        attributes.add(new RadiusAttribute(RadiusAttribute.FRAMED_MTU, intValue(FRAMED_MTU)));
        for (int i = 0; i < eap.length; i += RadiusAttribute.MAX_VALUE) {
            attributes.add(new RadiusAttribute(RadiusAttribute.EAP_MESSAGE,
                    Arrays.copyOfRange(eap, i, Math.min(eap.length, i + RadiusAttribute.MAX_VALUE))));
        }
        if (state != null) {
            attributes.add(new RadiusAttribute(RadiusAttribute.STATE, state));
        }
        attributes.add(new RadiusAttribute(RadiusAttribute.MESSAGE_AUTHENTICATOR, new byte[16]));
        byte[] authenticator = new byte[16];
        random.nextBytes(authenticator);
        identifier = (identifier + 1) & 0xff;
        return new RadiusPacket(RadiusPacket.ACCESS_REQUEST, identifier, authenticator, attributes)
                .withMessageAuthenticator(secret);
    }

    private static byte[] intValue(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Sends the request (again after each timeout) and returns the checked response. */
    private RadiusPacket exchange(DatagramSocket socket, RadiusPacket request) throws IOException {
        byte[] bytes = request.encode();
        byte[] buffer = new byte[RadiusPacket.MAX_LENGTH];
        for (int attempt = 1; attempt <= tries; attempt++) {
            steps.accept("sent " + request + (attempt > 1 ? " (retransmission " + (attempt - 1) + ")" : ""));
            socket.send(new DatagramPacket(bytes, bytes.length));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(datagram);
                } catch (SocketTimeoutException e) {
                    break;
                }
                RadiusPacket response = RadiusPacket.parse(Arrays.copyOf(buffer, datagram.getLength()));
                if (response.identifier() != request.identifier()) {
                    continue; // a late answer to an earlier request
                }
                response.verifyResponseTo(request, secret);
                steps.accept("received " + response);
                return response;
            }
        }
        throw new IOException("no answer from the RADIUS server " + server.getHostString() + ":" + server.getPort()
                + " after " + tries + " tries of " + timeout.toMillis() + " ms: check that it runs, that it knows this "
                + "client, and the shared secret (a server drops requests with a wrong Message-Authenticator)");
    }

}
