package org.tpmauth.attestation.ima;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.tss.types.TpmAlg;

/**
 * The Linux IMA runtime measurement log, binary ({@code binary_runtime_measurements}) or ASCII
 * ({@code ascii_runtime_measurements}), with templates ima-ng and ima-sig, and its replay into PCR
 * 10: the SHA-1 bank from the logged template hashes, other banks with the bank's hash of the
 * template data (as kernels since 5.x extend them); a violation extends all ones.
 */
public record ImaLog(List<ImaEntry> entries) {
    private static final int MAX_FIELD = 1 << 20;

    public ImaLog {
        entries = List.copyOf(entries);
    }

    /** Parses either form: text when it starts with a PCR number in ASCII. */
    public static ImaLog parse(byte[] log) {
        if (log.length > 0 && log[0] >= '0' && log[0] <= '9' && log.length > 1 && (log[1] == ' ' || (log[1] >= '0'
                && log[1] <= '9'))) {
            return parseAscii(new String(log, StandardCharsets.UTF_8));
        }
        return parseBinary(log);
    }

    static ImaLog parseBinary(byte[] log) {
        ByteBuffer in = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        List<ImaEntry> entries = new ArrayList<>();
        while (in.hasRemaining()) {
            int index = entries.size();
            int start = in.position();
            try {
                int pcr = in.getInt();
                byte[] hash = get(in, 20);
                String template = new String(get(in, length(in, 255)), StandardCharsets.US_ASCII);
                byte[] data = get(in, length(in, MAX_FIELD));
                entries.add(entry(index, pcr, hash, template, data));
            } catch (java.nio.BufferUnderflowException e) {
                throw new EventLogFormatException(index, start, "truncated IMA entry");
            } catch (IllegalArgumentException e) {
                throw new EventLogFormatException(index, start, e.getMessage());
            }
        }
        if (entries.isEmpty()) {
            throw new EventLogFormatException(0, 0, "the IMA log is empty");
        }
        return new ImaLog(entries);
    }

    static ImaLog parseAscii(String text) {
        List<ImaEntry> entries = new ArrayList<>();
        long offset = 0;
        for (String line : text.split("\n")) {
            int index = entries.size();
            if (!line.isBlank()) {
                try {
                    entries.add(asciiEntry(index, line.trim()));
                } catch (IllegalArgumentException e) {
                    throw new EventLogFormatException(index, offset, e.getMessage());
                }
            }
            offset += line.length() + 1;
        }
        if (entries.isEmpty()) {
            throw new EventLogFormatException(0, 0, "the IMA log is empty");
        }
        return new ImaLog(entries);
    }

    /** "10 &lt;sha1 template hash&gt; ima-ng sha256:&lt;hex&gt; /path [signature hex]". */
    private static ImaEntry asciiEntry(int index, String line) {
        String[] t = line.split(" ", 5);
        if (t.length < 5) {
            throw new IllegalArgumentException("an IMA line has PCR, template hash, template, file hash and path: '"
                    + line + "'");
        }
        String template = t[2];
        String path = t[4];
        byte[] sig = new byte[0];
        if (template.equals("ima-sig")) {
            int space = path.lastIndexOf(' ');
            if (space > 0 && path.substring(space + 1).matches("(?i)03[0-9a-f]+")) {
                sig = HexFormat.of().parseHex(path.substring(space + 1));
                path = path.substring(0, space);
            }
        } else if (!template.equals("ima-ng")) {
            throw new IllegalArgumentException("template '" + template + "' is not ima-ng or ima-sig");
        }
        int colon = t[3].indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("file hash '" + t[3] + "' is not ALGORITHM:HEX");
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        field(data, concat((t[3].substring(0, colon + 1) + "\0").getBytes(StandardCharsets.US_ASCII),
                HexFormat.of().parseHex(t[3].substring(colon + 1))));
        field(data, (path + "\0").getBytes(StandardCharsets.UTF_8));
        if (template.equals("ima-sig")) {
            field(data, sig);
        }
        return entry(index, Integer.parseInt(t[0]), HexFormat.of().parseHex(t[1]), template, data.toByteArray());
    }

    /** Parses the template data fields (each u32 length + bytes): d-ng, n-ng, and sig for ima-sig. */
    private static ImaEntry entry(int index, int pcr, byte[] hash, String template, byte[] data) {
        if (!template.equals("ima-ng") && !template.equals("ima-sig")) {
            throw new IllegalArgumentException("template '" + template + "' is not ima-ng or ima-sig");
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte[] digestField = get(in, length(in, MAX_FIELD));
            byte[] name = get(in, length(in, MAX_FIELD));
            byte[] sig = template.equals("ima-sig") && in.hasRemaining() ? get(in, length(in, MAX_FIELD)) : new byte[0];
            int sep = indexOf(digestField, (byte) 0);
            String alg = sep > 0 ? new String(digestField, 0, sep - 1, StandardCharsets.US_ASCII) : "sha1";
            byte[] fileHash = Arrays.copyOfRange(digestField, sep + 1, digestField.length);
            int end = name.length > 0 && name[name.length - 1] == 0 ? name.length - 1 : name.length;
            return new ImaEntry(index, pcr, hash, template, alg, fileHash,
                    new String(name, 0, end, StandardCharsets.UTF_8), sig, data);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("the " + template + " template data is truncated");
        }
    }

    /** PCR 10 (and any other PCR the entries name) replayed per bank. */
    public PcrValues replay(List<TpmAlg> banks) {
        Map<TpmAlg, SortedMap<Integer, byte[]>> out = new LinkedHashMap<>();
        for (TpmAlg bank : banks) {
            MessageDigest md = digest(bank);
            SortedMap<Integer, byte[]> pcrs = new TreeMap<>();
            for (ImaEntry e : entries) {
                extend(md, bank, pcrs, e);
            }
            out.put(bank, pcrs);
        }
        return new PcrValues(out);
    }

    /**
     * How many leading entries replay to the {@code quoted} values of every PCR the log names, in each
     * of {@code banks}; -1 when no prefix does. The log grows while the machine runs, so the one sent
     * after a quote may hold entries measured after it: those are not covered by the quote.
     */
    public int coveredBy(PcrValues quoted, List<TpmAlg> banks) {
        List<MessageDigest> mds = banks.stream().map(ImaLog::digest).toList();
        List<SortedMap<Integer, byte[]>> pcrs = new ArrayList<>();
        banks.forEach(b -> pcrs.add(new TreeMap<>()));
        Set<Integer> named = new TreeSet<>();
        entries.forEach(e -> named.add(e.pcr()));
        for (int n = 0; ; n++) {
            if (matches(quoted, banks, pcrs, named)) {
                return n;
            }
            if (n == entries.size()) {
                return -1;
            }
            for (int b = 0; b < banks.size(); b++) {
                extend(mds.get(b), banks.get(b), pcrs.get(b), entries.get(n));
            }
        }
    }

    private static boolean matches(PcrValues quoted, List<TpmAlg> banks, List<SortedMap<Integer, byte[]>> pcrs,
            Set<Integer> named) {
        for (int b = 0; b < banks.size(); b++) {
            for (int pcr : named) {
                byte[] q = quoted.get(banks.get(b), pcr);
                byte[] v = pcrs.get(b).getOrDefault(pcr, new byte[banks.get(b).digestSize()]);
                if (q != null && !MessageDigest.isEqual(q, v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first {@code n} entries. */
    public ImaLog prefix(int n) {
        return new ImaLog(entries.subList(0, n));
    }

    /** PCR = H(PCR || measurement): the SHA-1 bank takes the logged template hash, others hash the template data. */
    private static void extend(MessageDigest md, TpmAlg bank, SortedMap<Integer, byte[]> pcrs, ImaEntry e) {
        byte[] measurement;
        if (e.violation()) {
            measurement = new byte[bank.digestSize()];
            Arrays.fill(measurement, (byte) 0xff);
        } else {
            measurement = bank == TpmAlg.SHA1 ? e.templateHash() : md.digest(e.templateData());
        }
        md.update(pcrs.getOrDefault(e.pcr(), new byte[bank.digestSize()]));
        pcrs.put(e.pcr(), md.digest(measurement));
    }

    /** Entries whose logged SHA-1 template hash is not the hash of their template data (edited entries). */
    public List<ImaEntry> inconsistent() {
        MessageDigest sha1 = digest(TpmAlg.SHA1);
        return entries.stream().filter(e -> !e.violation() && !Arrays.equals(sha1.digest(e.templateData()), e.templateHash()))
                .toList();
    }

    private static MessageDigest digest(TpmAlg bank) {
        try {
            return MessageDigest.getInstance(bank.jcaDigestName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int length(ByteBuffer in, int max) {
        int n = in.getInt();
        if (n < 0 || n > max || n > in.remaining()) {
            throw new IllegalArgumentException("a field of " + Integer.toUnsignedString(n) + " bytes exceeds the "
                    + in.remaining() + " bytes left");
        }
        return n;
    }

    private static byte[] get(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static void field(ByteArrayOutputStream out, byte[] value) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value.length).array());
        out.writeBytes(value);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
