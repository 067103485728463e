package org.tpmauth.eap.radius;

import java.util.Arrays;
import org.tpmauth.eap.EapResult;

/**
 * The end of an EAP-TLS authentication through a RADIUS server.
 *
 * @param accepted whether the server sent Access-Accept
 * @param peer our peer's result (its keys on success, or why it failed)
 * @param serverMsk the MSK the server sent in MS-MPPE-Recv-Key || MS-MPPE-Send-Key (null unless accepted)
 */
public record RadiusResult(boolean accepted, EapResult peer, byte[] serverMsk) {
    public RadiusResult {
        serverMsk = serverMsk == null ? null : serverMsk.clone();
    }

    @Override
    public byte[] serverMsk() {
        return serverMsk == null ? null : serverMsk.clone();
    }

    /** Accepted, our peer authenticated the server too, and both derived the same MSK. */
    public boolean success() {
        return accepted && peer instanceof EapResult.Success s && Arrays.equals(s.keys().msk(), serverMsk);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusResult r && r.accepted == accepted && r.peer.equals(peer)
                && Arrays.equals(r.serverMsk, serverMsk);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(accepted) * 31 + peer.hashCode();
    }

    @Override
    public String toString() {
        return "RadiusResult[" + (accepted ? "Access-Accept" : "Access-Reject") + ", " + peer + "]";
    }
}
