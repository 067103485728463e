package org.tpmauth.eap;

import org.bouncycastle.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsUtils;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;

/**
 * The keying material of one EAP-TLS authentication. TLS 1.2 (RFC 5216 2.3): Key_Material =
 * TLS-PRF-128(master_secret, "client EAP encryption", client.random || server.random), Session-Id =
 * 0x0D || client.random || server.random. TLS 1.3 (RFC 9190 2.3): Key_Material = TLS-Exporter(
 * "EXPORTER_EAP_TLS_Key_Material", 0x0D, 128), Method-Id = TLS-Exporter("EXPORTER_EAP_TLS_Method-Id", 0x0D,
 * 64), Session-Id = 0x0D || Method-Id. MSK = Key_Material[0..63], EMSK = Key_Material[64..127].
 * {@link #toString()} shows only the version and the Session-Id: the MSK and EMSK are secrets.
 */
public record EapTlsKeys(TlsVersion version, byte[] msk, byte[] emsk, byte[] methodId, byte[] sessionId) {
    private static final byte EAP_TLS_TYPE = 0x0D;

    public EapTlsKeys {
        msk = msk.clone();
        emsk = emsk.clone();
        methodId = methodId.clone();
        sessionId = sessionId.clone();
    }

    /** Derives the keys from a TLS connection whose handshake has completed. */
    static EapTlsKeys derive(TlsContext context) {
        byte[] material;
        byte[] methodId;
        TlsVersion version;
        if (TlsUtils.isTLSv13(context)) {
            version = TlsVersion.TLS_1_3;
            byte[] typeCode = {EAP_TLS_TYPE};
            material = context.exportKeyingMaterial("EXPORTER_EAP_TLS_Key_Material", typeCode, 128);
            methodId = context.exportKeyingMaterial("EXPORTER_EAP_TLS_Method-Id", typeCode, 64);
        } else {
            version = TlsVersion.TLS_1_2;
            // RFC 5705 with no context: the PRF seed is client.random || server.random, as RFC 5216 wants
            material = context.exportKeyingMaterial("client EAP encryption", null, 128);
            var sp = context.getSecurityParametersConnection();
            methodId = Arrays.concatenate(sp.getClientRandom(), sp.getServerRandom());
        }
        byte[] sessionId = Arrays.concatenate(new byte[] {EAP_TLS_TYPE}, methodId);
        EapTlsKeys keys = new EapTlsKeys(version, Arrays.copyOfRange(material, 0, 64),
                Arrays.copyOfRange(material, 64, 128), methodId, sessionId);
        Arrays.fill(material, (byte) 0);
        return keys;
    }

    @Override
    public byte[] msk() {
        return msk.clone();
    }

    @Override
    public byte[] emsk() {
        return emsk.clone();
    }

    @Override
    public byte[] methodId() {
        return methodId.clone();
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EapTlsKeys k && k.version == version && Arrays.areEqual(k.msk, msk)
                && Arrays.areEqual(k.emsk, emsk) && Arrays.areEqual(k.methodId, methodId)
                && Arrays.areEqual(k.sessionId, sessionId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sessionId);
    }

    @Override
    public String toString() {
        return "EapTlsKeys[TLS " + version.label + ", Session-Id " + HexFormat.of().formatHex(sessionId) + "]";
    }
}
