package org.tpmauth.attestation.eventlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.tpmauth.attestation.eventlog.EventData.SignatureEntry;

/**
 * Signature entries (EFI_SIGNATURE_DATA) read from their variable when first asked for, one variable at
 * a time: a dbx holds hundreds of entries, and a rule that finds what it looks for in the first
 * variable never reads the rest. Immutable once read; safe to share between threads.
 */
final class SignatureEntries extends AbstractList<SignatureEntry> {
    /** Reads one variable's entries; null for a concatenation of {@link #parts}. */
    private final Supplier<List<SignatureEntry>> read;
    private final List<List<SignatureEntry>> parts;
    private List<SignatureEntry> all;

    private SignatureEntries(Supplier<List<SignatureEntry>> read, List<List<SignatureEntry>> parts) {
        this.read = read;
        this.parts = parts;
    }

    /**
     * The entries of a key database variable's data (a list of EFI_SIGNATURE_LISTs): the lists' sizes
     * are checked now, the entries are read in place when first used.
     *
     * @throws IllegalArgumentException when a list's sizes do not fit the data
     */
    static List<SignatureEntry> ofLists(byte[] data) {
        eachList(data, (type, list, size) -> { });
        return new SignatureEntries(() -> {
            List<SignatureEntry> out = new ArrayList<>();
            eachList(data, (type, list, size) -> {
                while (list.remaining() >= size) {
                    out.add(signature(list, type, size));
                }
            });
            return out;
        }, null);
    }

    private interface ListVisitor {
        void visit(String type, LeBytes entries, int signatureSize);
    }

    private static void eachList(byte[] data, ListVisitor visitor) {
        LeBytes in = new LeBytes(data);
        while (in.remaining() > 0) {
            String type = Guid.read(in);
            int listSize = in.u32();
            int headerSize = in.u32();
            int signatureSize = in.u32();
            if (listSize < 28 || signatureSize < 16 || headerSize < 0 || listSize - 28 > in.remaining() + 0L
                    || headerSize > listSize - 28) {
                throw new IllegalArgumentException("an EFI_SIGNATURE_LIST's sizes do not fit");
            }
            LeBytes list = in.slice(listSize - 28);
            list.skip(headerSize);
            visitor.visit(type, list, signatureSize);
        }
    }

    /** One EFI_SIGNATURE_DATA of {@code size} bytes: owner GUID, then a hash or a certificate. */
    static SignatureEntry signature(LeBytes in, String type, int size) {
        String owner = Guid.read(in);
        if (type.equals(Guid.EFI_CERT_SHA256)) {
            return new SignatureEntry(owner, "sha256", in.hex(size - 16), null);
        }
        byte[] value = in.bytes(size - 16);
        if (type.equals(Guid.EFI_CERT_X509)) {
            return new SignatureEntry(owner, "x509", sha256(value), value);
        }
        return new SignatureEntry(owner, type, sha256(value), null);
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The entries of several variables in order; each is read only when an iteration reaches it. */
    static List<SignatureEntry> concat(List<List<SignatureEntry>> parts) {
        return parts.isEmpty() ? List.of() : new SignatureEntries(null, List.copyOf(parts));
    }

    @Override
    public Iterator<SignatureEntry> iterator() {
        return read != null ? all().iterator() : parts.stream().flatMap(List::stream).iterator();
    }

    @Override
    public boolean isEmpty() {
        return !iterator().hasNext();
    }

    @Override
    public SignatureEntry get(int index) {
        return all().get(index);
    }

    @Override
    public int size() {
        return all().size();
    }

    private synchronized List<SignatureEntry> all() {
        if (all == null) {
            all = read != null ? List.copyOf(read.get()) : parts.stream().flatMap(List::stream).toList();
        }
        return all;
    }
}
