package org.tpmauth.pkcs11;

import java.util.Arrays;

/**
 * A CK_MECHANISM as p11-kit's RPC carries it (the {@code M} letter): a u32 type and its parameter,
 * which is three u64 for RSA-PSS, three u64 and a byte array for RSA-OAEP, and a byte array (NULL when
 * absent) for every other mechanism.
 */
public record Mechanism(long type, Parameter parameter) {
    /** A mechanism parameter. */
    public sealed interface Parameter {
    }

    /** CK_RSA_PKCS_PSS_PARAMS. */
    public record PssParameter(long hash, long mgf, long saltLength) implements Parameter {
    }

    /** CK_RSA_PKCS_OAEP_PARAMS. */
    public record OaepParameter(long hash, long mgf, long source, byte[] sourceData) implements Parameter {
        @Override
        public boolean equals(Object o) {
            return o instanceof OaepParameter p && hash == p.hash && mgf == p.mgf && source == p.source
                    && Arrays.equals(sourceData, p.sourceData);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(hash) ^ Arrays.hashCode(sourceData);
        }
    }

    /** The raw parameter bytes of any other mechanism, {@code null} for none. */
    public record RawParameter(byte[] bytes) implements Parameter {
        @Override
        public boolean equals(Object o) {
            return o instanceof RawParameter p && Arrays.equals(bytes, p.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** A mechanism without a parameter. */
    public static Mechanism of(long type) {
        return new Mechanism(type, new RawParameter(null));
    }

    static Mechanism read(RpcReader in) throws RpcFormatException {
        long type = in.u32("mechanism type");
        Parameter parameter;
        if (type == Pkcs11.CKM_RSA_PKCS_PSS) {
            parameter = new PssParameter(in.u64("PSS hash"), in.u64("PSS MGF"), in.u64("PSS salt length"));
        } else if (type == Pkcs11.CKM_RSA_PKCS_OAEP) {
            parameter = new OaepParameter(in.u64("OAEP hash"), in.u64("OAEP MGF"), in.u64("OAEP source"),
                    in.byteArray("OAEP source data"));
        } else {
            parameter = new RawParameter(in.byteArray("mechanism parameter"));
        }
        return new Mechanism(type, parameter);
    }

    void write(RpcWriter out) {
        out.u32(type);
        if (parameter instanceof PssParameter p) {
            out.u64(p.hash()).u64(p.mgf()).u64(p.saltLength());
        } else if (parameter instanceof OaepParameter p) {
            out.u64(p.hash()).u64(p.mgf()).u64(p.source()).byteArray(p.sourceData());
        } else if (parameter instanceof RawParameter p) {
            out.byteArray(p.bytes());
        }
    }
}
