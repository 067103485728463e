package org.tpmauth.attestation.eventlog;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.tpmauth.tss.types.TpmAlg;

/**
 * An event's digests by bank, in log order: an immutable map over two small arrays (a log names at most
 * a handful of banks), since a log has thousands of events and a hash map per event cost more than
 * the replay.
 */
final class Digests extends AbstractMap<TpmAlg, byte[]> {
    private final TpmAlg[] banks;
    private final byte[][] values;

    private Digests(TpmAlg[] banks, byte[][] values) {
        this.banks = banks;
        this.values = values;
    }

    static Digests copyOf(Map<TpmAlg, byte[]> digests) {
        if (digests instanceof Digests d) {
            return d;
        }
        Builder b = new Builder(digests.size());
        digests.forEach(b::put);
        return b.build();
    }

    /** Collects an event's digests; a bank given twice is refused. */
    static final class Builder {
        private TpmAlg[] banks;
        private byte[][] values;
        private int size;

        Builder(int capacity) {
            banks = new TpmAlg[capacity];
            values = new byte[capacity][];
        }

        /** False when the bank already has a digest. */
        boolean put(TpmAlg bank, byte[] digest) {
            for (int i = 0; i < size; i++) {
                if (banks[i] == bank) {
                    return false;
                }
            }
            if (size == banks.length) {
                banks = Arrays.copyOf(banks, size + 1);
                values = Arrays.copyOf(values, size + 1);
            }
            banks[size] = bank;
            values[size++] = digest;
            return true;
        }

        Digests build() {
            return new Digests(Arrays.copyOf(banks, size), Arrays.copyOf(values, size));
        }
    }

    @Override
    public byte[] get(Object bank) {
        for (int i = 0; i < banks.length; i++) {
            if (banks[i] == bank) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object bank) {
        return get(bank) != null;
    }

    @Override
    public int size() {
        return banks.length;
    }

    @Override
    public Set<Entry<TpmAlg, byte[]>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<TpmAlg, byte[]>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < banks.length;
                    }

                    @Override
                    public Entry<TpmAlg, byte[]> next() {
                        if (next >= banks.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(banks[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return banks.length;
            }
        };
    }
}
