package org.tpmauth.pkcs11;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One p11-kit RPC message body: {@code u32 call_id}, the signature string, and the values it names,
 * read and written by the signature's letters (p11-kit/rpc-message.c). A value is a {@link Long} for
 * {@code u}, an {@link Integer} for {@code y}, a {@link ByteArray} for {@code ay}, a {@link UlongArray}
 * for {@code au}, a {@link Capacity} for {@code fy} / {@code fu}, a list of {@link Attribute} for
 * {@code aA}, a list of {@link AttributeQuery} for {@code fA}, a {@link Mechanism} for {@code M}, a
 * {@link Version} for {@code v} and a {@code byte[]} for the strings {@code s} and {@code z}.
 */
public record RpcMessage(long callId, String signature, List<Object> values) {
    /** Signatures are short ASCII strings; anything longer is not p11-kit. */
    private static final int MAX_SIGNATURE = 64;

    /** Values may be null: p11-kit sends absent arrays and strings (a NULL pointer on the C side). */
    public RpcMessage {
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** A byte array that is present with its bytes, or absent with only a length (a size answer). */
    public record ByteArray(byte[] bytes, long length) {
        static ByteArray of(byte[] bytes) {
            return new ByteArray(bytes, bytes.length);
        }

        static ByteArray lengthOnly(long length) {
            return new ByteArray(null, length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByteArray b && length == b.length && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) ^ Long.hashCode(length);
        }

        @Override
        public String toString() {
            return bytes == null ? "absent[" + length + "]" : "[" + bytes.length + " bytes]";
        }
    }

    /** An array of CK_ULONG that is present with its items, or absent with only a count. */
    public record UlongArray(long[] items, long count) {
        static UlongArray of(long... items) {
            return new UlongArray(items, items.length);
        }

        static UlongArray countOnly(long count) {
            return new UlongArray(null, count);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UlongArray a && count == a.count && Arrays.equals(items, a.items);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(items) ^ Long.hashCode(count);
        }

        @Override
        public String toString() {
            return items == null ? "absent[" + count + "]" : Arrays.toString(items);
        }
    }

    /** The size of the caller's output buffer ({@code fy}: bytes, {@code fu}: ulongs); 0 = NULL. */
    public record Capacity(long size) {
    }

    /** One entry of a C_GetAttributeValue template: the type and the caller's buffer length. */
    public record AttributeQuery(long type, long bufferLength) {
    }

    /** A CK_VERSION. */
    public record Version(int major, int minor) {
    }

    /** Reads a body: any call id, any signature made of known letters, values that fill it exactly. */
    static RpcMessage parse(byte[] body) throws RpcFormatException {
        RpcReader in = new RpcReader(body);
        long callId = in.u32("call id");
        byte[] sig = in.byteArray("signature");
        if (sig == null || sig.length > MAX_SIGNATURE) {
            throw new RpcFormatException("call " + callId + ": missing or overlong signature");
        }
        String signature = new String(sig, StandardCharsets.ISO_8859_1);
        List<Object> values = new ArrayList<>();
        for (String letter : letters(signature)) {
            values.add(readValue(in, letter));
        }
        in.expectEnd("the values of '" + signature + "'");
        return new RpcMessage(callId, signature, values);
    }

    /** Splits a signature into its value letters ("ay", "fA", "u" ...). */
    static List<String> letters(String signature) throws RpcFormatException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < signature.length(); i++) {
            char c = signature.charAt(i);
            if (c == 'a' || c == 'f') {
                if (i + 1 == signature.length() || "yuA".indexOf(signature.charAt(i + 1)) < 0) {
                    throw new RpcFormatException("signature '" + signature + "': '" + c + "' at " + i
                            + " must be followed by y, u or A");
                }
                out.add(signature.substring(i, i + 2));
                i++;
            } else if ("uyvszM".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
            } else {
                throw new RpcFormatException("signature '" + signature + "': unknown letter '" + c + "'");
            }
        }
        return out;
    }

    private static Object readValue(RpcReader in, String letter) throws RpcFormatException {
        return switch (letter) {
            case "u" -> in.u64("ulong");
            case "y" -> in.u8("byte");
            case "v" -> new Version(in.u8("version major"), in.u8("version minor"));
            case "s", "z" -> in.byteArray("string");
            case "M" -> Mechanism.read(in);
            case "fy", "fu" -> new Capacity(in.u32("buffer size"));
            case "ay" -> {
                boolean present = present(in);
                long length = in.u32("byte array length");
                if (present && length == RpcReader.NULL_LENGTH) { // p11-kit 0.25: a NULL buffer of length 0
                    yield new ByteArray(new byte[0], length);
                }
                yield present ? new ByteArray(in.bytes(checkedLength(length, in), "byte array"), length)
                        : ByteArray.lengthOnly(length);
            }
            case "au" -> {
                boolean present = present(in);
                if (!present) {
                    yield UlongArray.countOnly(in.u32("ulong array count"));
                }
                long[] items = new long[in.count(8, "ulong array")];
                for (int i = 0; i < items.length; i++) {
                    items[i] = in.u64("ulong array item");
                }
                yield UlongArray.of(items);
            }
            case "aA" -> Attribute.readList(in, 0);
            case "fA" -> {
                int count = in.count(8, "attribute template");
                List<AttributeQuery> queries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    queries.add(new AttributeQuery(in.u32("attribute type"), in.u32("attribute buffer length")));
                }
                yield queries;
            }
            default -> throw new IllegalStateException(letter);
        };
    }

    private static boolean present(RpcReader in) throws RpcFormatException {
        int flag = in.u8("array present flag");
        if (flag > 1) {
            throw new RpcFormatException("array present flag " + flag);
        }
        return flag == 1;
    }

    private static int checkedLength(long length, RpcReader in) throws RpcFormatException {
        if (length > in.remaining()) {
            throw new RpcFormatException("byte array of " + length + " bytes, only " + in.remaining() + " left");
        }
        return (int) length;
    }

    /** The body bytes. */
    byte[] encode() {
        RpcWriter out = new RpcWriter().u32(callId).byteArray(signature.getBytes(StandardCharsets.ISO_8859_1));
        for (Object v : values) {
            writeValue(out, v);
        }
        return out.toBytes();
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(RpcWriter out, Object v) {
        if (v instanceof Long u) {
            out.u64(u);
        } else if (v instanceof Integer y) {
            out.u8(y);
        } else if (v instanceof Version ver) {
            out.u8(ver.major()).u8(ver.minor());
        } else if (v == null || v instanceof byte[]) { // a string ('s', 'z'); null is the absent one
            out.byteArray((byte[]) v);
        } else if (v instanceof Mechanism m) {
            m.write(out);
        } else if (v instanceof Capacity c) {
            out.u32(c.size());
        } else if (v instanceof ByteArray a) {
            out.u8(a.bytes() == null ? 0 : 1).u32(a.length());
            if (a.bytes() != null) {
                out.raw(a.bytes());
            }
        } else if (v instanceof UlongArray a) {
            out.u8(a.items() == null ? 0 : 1).u32(a.count());
            if (a.items() != null) {
                for (long item : a.items()) {
                    out.u64(item);
                }
            }
        } else if (v instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof AttributeQuery) {
            out.u32(list.size());
            for (AttributeQuery q : (List<AttributeQuery>) list) {
                out.u32(q.type()).u32(q.bufferLength());
            }
        } else if (v instanceof List<?> list) {
            Attribute.writeList(out, (List<Attribute>) list);
        } else {
            throw new IllegalArgumentException("not an RPC value: " + v);
        }
    }

    long ulong(int index) {
        return (Long) values.get(index);
    }

    int byteValue(int index) {
        return (Integer) values.get(index);
    }

    /** The bytes of an {@code ay} argument; {@code null} when absent. */
    byte[] bytes(int index) {
        return ((ByteArray) values.get(index)).bytes();
    }

    long capacity(int index) {
        return ((Capacity) values.get(index)).size();
    }

    Mechanism mechanism(int index) {
        return (Mechanism) values.get(index);
    }

    @SuppressWarnings("unchecked")
    List<Attribute> attributes(int index) {
        return (List<Attribute>) values.get(index);
    }

    @SuppressWarnings("unchecked")
    List<AttributeQuery> queries(int index) {
        return (List<AttributeQuery>) values.get(index);
    }
}
