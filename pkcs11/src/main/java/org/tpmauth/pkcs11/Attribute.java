package org.tpmauth.pkcs11;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A CK_ATTRIBUTE as p11-kit's RPC carries it: its type, the C length ulValueLen, and the value, or
 * {@code value == null} for "no value" (the wire's valid = 0, ulValueLen CK_UNAVAILABLE_INFORMATION).
 * The value's encoding follows from the type alone ({@link #kindOf}), exactly as p11-kit 0.24.1 decides.
 */
public record Attribute(long type, long length, Value value) {
    /** Nested attribute arrays deeper than this are refused. */
    private static final int MAX_DEPTH = 4;

    /** How a value travels. */
    enum Kind { BYTE, ULONG, ATTRIBUTES, MECHANISMS, BYTES }

    private static final Set<Long> BYTE_TYPES = Set.of(0x1L, 0x2L, 0x86L, 0x103L, 0x104L, 0x105L, 0x106L, 0x107L,
            0x108L, 0x109L, 0x10aL, 0x10bL, 0x10cL, 0x162L, 0x163L, 0x164L, 0x165L, 0x170L, 0x171L, 0x200L, 0x202L,
            0x210L, 0x301L, 0x302L, 0x405L);
    private static final Set<Long> ULONG_TYPES = Set.of(0x0L, 0x80L, 0x87L, 0x88L, 0x100L, 0x121L, 0x133L, 0x134L,
            0x160L, 0x161L, 0x166L, 0x201L, 0x300L, 0x400L, 0x401L, 0x402L, 0x403L, 0x404L, 0x406L, 0x500L);

    /** The value of an attribute, by its {@link Kind}. */
    public sealed interface Value {
    }

    /** CK_BBOOL / CK_BYTE. */
    public record ByteValue(int value) implements Value {
    }

    /** CK_ULONG. */
    public record UlongValue(long value) implements Value {
    }

    /** A byte string (also dates and unknown types); {@code bytes == null} is a NULL value pointer. */
    public record BytesValue(byte[] bytes) implements Value {
        @Override
        public boolean equals(Object o) {
            return o instanceof BytesValue b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes == null ? "NULL" : bytes.length + " bytes";
        }
    }

    /** CKA_ALLOWED_MECHANISMS. */
    public record MechanismsValue(long[] mechanisms) implements Value {
        @Override
        public boolean equals(Object o) {
            return o instanceof MechanismsValue m && Arrays.equals(mechanisms, m.mechanisms);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mechanisms);
        }

        @Override
        public String toString() {
            return Arrays.toString(mechanisms);
        }
    }

    /** CKA_WRAP_TEMPLATE / CKA_UNWRAP_TEMPLATE. */
    public record AttributesValue(List<Attribute> attributes) implements Value {
        public AttributesValue {
            attributes = List.copyOf(attributes);
        }
    }

    static Kind kindOf(long type) {
        if (BYTE_TYPES.contains(type)) {
            return Kind.BYTE;
        }
        if (ULONG_TYPES.contains(type)) {
            return Kind.ULONG;
        }
        if (type == Pkcs11.CKA_WRAP_TEMPLATE || type == Pkcs11.CKA_UNWRAP_TEMPLATE) {
            return Kind.ATTRIBUTES;
        }
        return type == Pkcs11.CKA_ALLOWED_MECHANISMS ? Kind.MECHANISMS : Kind.BYTES;
    }

    public static Attribute bool(long type, boolean value) {
        return new Attribute(type, 1, new ByteValue(value ? 1 : 0));
    }

    public static Attribute ulong(long type, long value) {
        return new Attribute(type, 8, new UlongValue(value));
    }

    public static Attribute bytes(long type, byte[] value) {
        return new Attribute(type, value.length, new BytesValue(value.clone()));
    }

    public static Attribute text(long type, String value) {
        return bytes(type, value.getBytes(StandardCharsets.UTF_8));
    }

    public static Attribute mechanisms(long type, long... mechanisms) {
        return new Attribute(type, 8L * mechanisms.length, new MechanismsValue(mechanisms.clone()));
    }

    /** The attribute with no value (valid = 0), as answered for unknown or sensitive attributes. */
    public static Attribute unavailable(long type) {
        return new Attribute(type, Pkcs11.UNAVAILABLE, null);
    }

    static Attribute read(RpcReader in, int depth) throws RpcFormatException {
        long type = in.u32("attribute type");
        int valid = in.u8("attribute valid flag");
        if (valid == 0) {
            return unavailable(type);
        }
        if (valid != 1) {
            throw new RpcFormatException("attribute 0x" + Long.toHexString(type) + ": valid flag " + valid);
        }
        long length = in.u32("attribute length");
        Value value = switch (kindOf(type)) {
            case BYTE -> new ByteValue(in.u8("attribute value"));
            case ULONG -> new UlongValue(in.u64("attribute value"));
            case MECHANISMS -> {
                long[] mechanisms = new long[in.count(8, "mechanism list")];
                for (int i = 0; i < mechanisms.length; i++) {
                    mechanisms[i] = in.u64("mechanism");
                }
                yield new MechanismsValue(mechanisms);
            }
            case ATTRIBUTES -> {
                if (depth >= MAX_DEPTH) {
                    throw new RpcFormatException("attribute templates nested deeper than " + MAX_DEPTH);
                }
                yield new AttributesValue(readList(in, depth + 1));
            }
            case BYTES -> new BytesValue(in.byteArray("attribute value"));
        };
        return new Attribute(type, length, value);
    }

    /** An {@code aA}: a u32 count and the attributes. */
    static List<Attribute> readList(RpcReader in, int depth) throws RpcFormatException {
        int count = in.count(5, "attribute list");
        List<Attribute> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(read(in, depth));
        }
        return list;
    }

    static void writeList(RpcWriter out, List<Attribute> attributes) {
        out.u32(attributes.size());
        for (Attribute a : attributes) {
            a.write(out);
        }
    }

    void write(RpcWriter out) {
        out.u32(type);
        if (value == null) {
            out.u8(0);
            return;
        }
        out.u8(1).u32(length);
        if (value instanceof ByteValue b) {
            out.u8(b.value());
        } else if (value instanceof UlongValue u) {
            out.u64(u.value());
        } else if (value instanceof BytesValue b) {
            out.byteArray(b.bytes());
        } else if (value instanceof MechanismsValue m) {
            out.u32(m.mechanisms().length);
            for (long mechanism : m.mechanisms()) {
                out.u64(mechanism);
            }
        } else if (value instanceof AttributesValue a) {
            writeList(out, a.attributes());
        }
    }

    /** Whether this template attribute holds the same value as {@code other} (the PKCS#11 match rule). */
    boolean sameValue(Attribute other) {
        return value != null && value.equals(other.value);
    }
}
