package org.tpmauth.attestation.quote;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmuAttest;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * The PCR file of tpm2-tools: what {@code tpm2_quote -o FILE} writes and {@code tpm2_checkquote -f FILE}
 * reads in their default ("serialized") format. It is the tools' C structures as they lie in memory on
 * a little-endian machine: TPML_PCR_SELECTION (u32 count, then all 16 TPMS_PCR_SELECTION slots of 8
 * bytes: u16 hash, u8 sizeofSelect, u8 pcrSelect[4], one padding byte), a u32 count of digest lists,
 * then that many TPML_DIGEST (u32 count, then all 8 TPM2B_DIGEST slots of 66 bytes: u16 size, 64-byte
 * buffer). The PCR values follow the selection: banks in order, PCRs ascending, 8 per list. A file of
 * raw values concatenated is what the tools read only with {@code -l} ("values" format) and is refused
 * by tpm2_checkquote 5.4 otherwise.
 */
public record PcrFile(List<TpmsPcrSelection> selection, PcrValues values) {
    private static final int BANK_SLOTS = 16;
    private static final int SELECT_MAX = 4;
    private static final int SELECTION_SLOT = 8;
    private static final int LIST_MAX = 32;
    private static final int DIGEST_SLOTS = 8;
    private static final int DIGEST_MAX = 64;
    private static final int SELECTION_SIZE = 4 + BANK_SLOTS * SELECTION_SLOT;
    private static final int LIST_SIZE = 4 + DIGEST_SLOTS * (2 + DIGEST_MAX);

    public PcrFile {
        selection = List.copyOf(selection);
        if (selection.size() > BANK_SLOTS) {
            throw new IllegalArgumentException("a PCR selection has at most " + BANK_SLOTS + " banks");
        }
    }

    /** The values in file order: every selected PCR's value, which {@code values} must hold. */
    private List<byte[]> ordered() {
        List<byte[]> out = new ArrayList<>();
        for (TpmsPcrSelection s : selection) {
            for (int pcr : s.pcrs()) {
                byte[] v = values.get(s.hash(), pcr);
                if (v == null) {
                    throw new IllegalArgumentException("no value for the selected PCR " + s.hash().name().toLowerCase()
                            + ":" + pcr);
                }
                out.add(v);
            }
        }
        return out;
    }

    /** The file's bytes, as tpm2_quote writes them. */
    public byte[] toBytes() {
        List<byte[]> digests = ordered();
        int lists = Math.max(1, (digests.size() + DIGEST_SLOTS - 1) / DIGEST_SLOTS);
        if (lists > LIST_MAX) {
            throw new IllegalArgumentException(digests.size() + " PCR values do not fit tpm2-tools' " + LIST_MAX
                    + " digest lists");
        }
        ByteBuffer out = ByteBuffer.allocate(SELECTION_SIZE + 4 + lists * LIST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(selection.size());
        for (TpmsPcrSelection s : selection) {
            int at = out.position();
            out.putShort((short) s.hash().id()).put((byte) s.bitmap().length).put(s.bitmap());
            out.position(at + SELECTION_SLOT);
        }
        out.position(SELECTION_SIZE);
        out.putInt(lists);
        for (int list = 0; list < lists; list++) {
            int start = out.position();
            int n = Math.min(DIGEST_SLOTS, digests.size() - list * DIGEST_SLOTS);
            out.putInt(n);
            for (int i = 0; i < n; i++) {
                byte[] d = digests.get(list * DIGEST_SLOTS + i);
                out.position(start + 4 + i * (2 + DIGEST_MAX));
                out.putShort((short) d.length).put(d);
            }
            out.position(start + LIST_SIZE);
        }
        return out.array();
    }

    /**
     * The file for a piece of evidence: the selection as its quote states it, and its PCR values.
     *
     * @throws IllegalArgumentException when the evidence holds no quote or lacks a quoted PCR's value
     */
    public static PcrFile of(Evidence evidence) {
        TpmsAttest attest;
        try {
            attest = TpmsAttest.fromBytes(evidence.quoted());
        } catch (TpmFormatException e) {
            throw new IllegalArgumentException("the evidence holds no TPMS_ATTEST: " + e.getMessage());
        }
        if (!(attest.attested() instanceof TpmuAttest.Quote quote)) {
            throw new IllegalArgumentException("the evidence's TPMS_ATTEST is not a quote");
        }
        PcrFile file = new PcrFile(quote.pcrSelect(), evidence.pcrs());
        file.ordered();
        return file;
    }

    /**
     * Reads a file tpm2_quote wrote.
     *
     * @throws IllegalArgumentException saying what does not fit
     */
    public static PcrFile parse(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < SELECTION_SIZE + 4) {
            throw truncated(file.length);
        }
        try {
            int banks = in.getInt();
            if (banks < 0 || banks > BANK_SLOTS) {
                throw new IllegalArgumentException("the PCR selection has " + Integer.toUnsignedString(banks)
                        + " banks; at most " + BANK_SLOTS);
            }
            List<TpmsPcrSelection> selection = new ArrayList<>();
            for (int i = 0; i < banks; i++) {
                int at = 4 + i * SELECTION_SLOT;
                int id = in.getShort(at) & 0xffff;
                int size = in.get(at + 2) & 0xff;
                TpmAlg hash = TpmAlg.byId(id).filter(TpmAlg::isHash).orElseThrow(() -> new IllegalArgumentException(
                        String.format("bank %d is algorithm 0x%04x, not a hash", id, id)));
                if (size > SELECT_MAX) {
                    throw new IllegalArgumentException("bank " + hash + " has sizeofSelect " + size + "; at most "
                            + SELECT_MAX);
                }
                selection.add(new TpmsPcrSelection(hash, Arrays.copyOfRange(file, at + 3, at + 3 + size)));
            }
            in.position(SELECTION_SIZE);
            int lists = in.getInt();
            if (lists < 0 || lists > LIST_MAX) {
                throw new IllegalArgumentException("the file has " + Integer.toUnsignedString(lists)
                        + " digest lists; at most " + LIST_MAX);
            }
            if (file.length != SELECTION_SIZE + 4 + lists * LIST_SIZE) {
                throw file.length < SELECTION_SIZE + 4 + lists * LIST_SIZE ? truncated(file.length)
                        : new IllegalArgumentException((file.length - SELECTION_SIZE - 4 - lists * LIST_SIZE)
                                + " bytes after the last digest list");
            }
            List<byte[]> digests = new ArrayList<>();
            for (int list = 0; list < lists; list++) {
                int start = in.position();
                int n = in.getInt();
                if (n < 0 || n > DIGEST_SLOTS) {
                    throw new IllegalArgumentException("digest list " + list + " has " + Integer.toUnsignedString(n)
                            + " digests; at most " + DIGEST_SLOTS);
                }
                for (int i = 0; i < n; i++) {
                    in.position(start + 4 + i * (2 + DIGEST_MAX));
                    int size = in.getShort() & 0xffff;
                    if (size > DIGEST_MAX) {
                        throw new IllegalArgumentException("a digest of " + size + " bytes; at most " + DIGEST_MAX);
                    }
                    byte[] d = new byte[size];
                    in.get(d);
                    digests.add(d);
                }
                in.position(start + LIST_SIZE);
            }
            return new PcrFile(selection, values(selection, digests));
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw truncated(file.length);
        }
    }

    private static IllegalArgumentException truncated(int length) {
        return new IllegalArgumentException("the PCR file is truncated (" + length + " bytes; tpm2_quote -o writes "
                + SELECTION_SIZE + " + 4 + " + LIST_SIZE + " per 8 PCRs)");
    }

    /** The digests assigned to the selected PCRs in order; each must have its bank's size. */
    private static PcrValues values(List<TpmsPcrSelection> selection, List<byte[]> digests) {
        Map<TpmAlg, SortedMap<Integer, byte[]>> banks = new LinkedHashMap<>();
        int next = 0;
        for (TpmsPcrSelection s : selection) {
            SortedMap<Integer, byte[]> bank = banks.computeIfAbsent(s.hash(), b -> new TreeMap<>());
            for (int pcr : s.pcrs()) {
                if (next == digests.size()) {
                    throw new IllegalArgumentException("the file selects more PCRs than it has values for");
                }
                byte[] d = digests.get(next++);
                if (d.length != s.hash().digestSize()) {
                    throw new IllegalArgumentException("the value of " + s.hash().name().toLowerCase() + ":" + pcr
                            + " has " + d.length + " bytes, not " + s.hash().digestSize());
                }
                bank.put(pcr, d);
            }
        }
        if (next != digests.size()) {
            throw new IllegalArgumentException("the file has " + (digests.size() - next) + " values beyond its selection");
        }
        return new PcrValues(banks);
    }
}
