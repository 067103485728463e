package org.tpmauth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * PCR values for a policy, read from a file instead of this TPM: either binary, the values concatenated in
 * selection order as {@code tpm2_pcrread -o FILE} writes them, or the text {@code tpm2_pcrread} and
 * {@code tpmauth pcr read} print ({@code sha256:} then {@code 7 : 0x...} lines).
 */
final class PcrValuesFile {
    private static final Pattern BANK = Pattern.compile("^\\s*([A-Za-z0-9_]+)\\s*:\\s*$");
    private static final Pattern VALUE = Pattern.compile("^\\s*(\\d+)\\s*:\\s*(?:0x)?([0-9A-Fa-f]+)\\s*$");

    private PcrValuesFile() {
    }

    /** The values of {@code pcrs} in selection order (banks as given, PCRs ascending). */
    static List<byte[]> read(Path file, List<TpmsPcrSelection> pcrs) throws IOException {
        byte[] data = Files.readAllBytes(file);
        int expected = 0;
        for (TpmsPcrSelection s : pcrs) {
            expected += s.pcrs().size() * s.hash().digestSize();
        }
        if (data.length == expected && !isText(data)) {
            List<byte[]> values = new ArrayList<>();
            int offset = 0;
            for (TpmsPcrSelection s : pcrs) {
                for (int i = 0; i < s.pcrs().size(); i++, offset += s.hash().digestSize()) {
                    values.add(Arrays.copyOfRange(data, offset, offset + s.hash().digestSize()));
                }
            }
            return values;
        }
        return fromText(file, new String(data, StandardCharsets.ISO_8859_1), pcrs, expected);
    }

    private static boolean isText(byte[] data) {
        for (byte b : data) {
            if (b != '\n' && b != '\r' && b != '\t' && (b < 0x20 || b > 0x7e)) {
                return false;
            }
        }
        return true;
    }

    private static List<byte[]> fromText(Path file, String text, List<TpmsPcrSelection> pcrs, int binarySize) {
        Map<String, byte[]> byBankAndPcr = new HashMap<>();
        String bank = null;
        for (String line : text.split("\n")) {
            Matcher b = BANK.matcher(line);
            Matcher v = VALUE.matcher(line);
            if (b.matches()) {
                bank = b.group(1).toLowerCase();
            } else if (v.matches() && bank != null) {
                byBankAndPcr.put(bank + ":" + Integer.parseInt(v.group(1)), HexFormat.of().parseHex(v.group(2)));
            }
        }
        List<byte[]> values = new ArrayList<>();
        for (TpmsPcrSelection s : pcrs) {
            String name = s.hash().name().toLowerCase();
            for (int pcr : s.pcrs()) {
                byte[] value = byBankAndPcr.get(name + ":" + pcr);
                if (value == null || value.length != s.hash().digestSize()) {
                    throw new IllegalArgumentException(file + " has no " + s.hash().digestSize() + "-byte value for "
                            + name + " PCR " + pcr + "; give tpm2_pcrread's text output, or " + binarySize
                            + " bytes of values in selection order (tpm2_pcrread -o)");
                }
                values.add(value);
            }
        }
        return values;
    }
}
