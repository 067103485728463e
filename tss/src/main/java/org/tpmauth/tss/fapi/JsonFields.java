package org.tpmauth.tss.fapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Typed reading of one JSON object of a FAPI file, the way tpm2-tss reads it: field names in either
 * camelCase or lower case, numbers also as decimal or "0x" hex strings, algorithm and constant names
 * with or without their "TPM2_ALG_" style prefix. Every failure names the file and the field path.
 *
 * @param where the file and the path of this object in it ("object.json: public.publicArea")
 * @param node  the object
 */
public record JsonFields(String where, ObjectNode node) {

    /** The top-level object of a file. */
    public static JsonFields of(String source, ObjectNode node) {
        return new JsonFields(source + ":", node);
    }

    /** "file: a.b.field" for an error message. */
    public String at(String field) {
        return where.endsWith(":") ? where + " " + field : where + "." + field;
    }

    public FapiFormatException error(String field, String problem) {
        return new FapiFormatException(at(field), problem);
    }

    public boolean has(String field) {
        return find(field).isPresent();
    }

    /** The field's value, looked up as written or ignoring case; absent or JSON null gives empty. */
    public Optional<JsonNode> find(String field) {
        JsonNode exact = node.get(field);
        if (exact != null) {
            return exact.isNull() ? Optional.empty() : Optional.of(exact);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(field) && !e.getValue().isNull()) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    public JsonNode required(String field) {
        return find(field).orElseThrow(() -> error(field, "is missing"));
    }

    public String text(String field) {
        JsonNode v = required(field);
        if (!v.isTextual()) {
            throw error(field, "must be a string");
        }
        return v.asText();
    }

    public Optional<String> optionalText(String field) {
        return find(field).map(v -> text(field));
    }

    /** A byte string written as hex (an empty string is zero bytes). */
    public byte[] hex(String field) {
        String s = text(field);
        try {
            return HexFormat.of().parseHex(s.startsWith("0x") ? s.substring(2) : s);
        } catch (IllegalArgumentException e) {
            throw error(field, "must be an even number of hex digits");
        }
    }

    public Optional<byte[]> optionalHex(String field) {
        return find(field).map(v -> hex(field));
    }

    /** An unsigned number up to {@code max}: a JSON number, or a decimal or "0x" hex string. */
    public long number(String field, long max) {
        JsonNode v = required(field);
        long n;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            n = v.asLong();
        } else if (v.isTextual()) {
            String s = v.asText().trim();
            try {
                n = s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16)
                        : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error(field, "must be a number, not \"" + abbreviate(s) + "\"");
            }
        } else {
            throw error(field, "must be a number");
        }
        if (n < 0 || n > max) {
            throw error(field, "must be between 0 and " + max + ", not " + n);
        }
        return n;
    }

    public int u16(String field) {
        return (int) number(field, 0xFFFF);
    }

    public int u32(String field) {
        return (int) number(field, 0xFFFF_FFFFL);
    }

    /** A bit field written as named flags (FAPI's TPMA_OBJECT, TPMA_NV): the bits of the flags set to YES. */
    public int flags(java.util.Map<String, Integer> bitsByName) {
        int bits = 0;
        for (java.util.Map.Entry<String, Integer> e : bitsByName.entrySet()) {
            if (has(e.getKey()) && yesNo(e.getKey())) {
                bits |= e.getValue();
            }
        }
        return bits;
    }

    /** TPMI_YES_NO: "YES" / "NO", 1 / 0, or a JSON boolean. */
    public boolean yesNo(String field) {
        JsonNode v = required(field);
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return flag(field, v.asLong());
        }
        if (v.isTextual()) {
            String s = v.asText();
            if (s.equalsIgnoreCase("YES")) {
                return true;
            }
            if (s.equalsIgnoreCase("NO")) {
                return false;
            }
            return flag(field, number(field, 1));
        }
        throw error(field, "must be YES or NO");
    }

    private boolean flag(String field, long n) {
        if (n != 0 && n != 1) {
            throw error(field, "must be YES or NO (1 or 0), not " + n);
        }
        return n == 1;
    }

    /** An algorithm by its name ("SHA256", "TPM2_ALG_SHA256", "sha256") or number. */
    public TpmAlg alg(String field) {
        JsonNode v = required(field);
        if (v.isIntegralNumber() || (v.isTextual() && v.asText().matches("(0x)?[0-9a-fA-F]+") && !isAlgName(v.asText()))) {
            int id = u16(field);
            return TpmAlg.byId(id).orElseThrow(() -> error(field, String.format("unknown algorithm 0x%04x", id)));
        }
        String name = constant(field, "TPM2_ALG_", "TPM_ALG_");
        if (name.equalsIgnoreCase("SHA")) {
            return TpmAlg.SHA1; // TPM2_ALG_SHA is SHA1's other name
        }
        for (TpmAlg alg : TpmAlg.values()) {
            if (alg.name().equalsIgnoreCase(name)) {
                return alg;
            }
        }
        throw error(field, "unknown algorithm \"" + abbreviate(v.asText()) + "\"");
    }

    private static boolean isAlgName(String s) {
        for (TpmAlg alg : TpmAlg.values()) {
            if (alg.name().equalsIgnoreCase(s)) {
                return true;
            }
        }
        return false;
    }

    /** A constant's name with any of the given prefixes stripped (case-insensitive). */
    public String constant(String field, String... prefixes) {
        String s = text(field);
        for (String p : prefixes) {
            if (s.regionMatches(true, 0, p, 0, p.length())) {
                return s.substring(p.length());
            }
        }
        return s;
    }

    public JsonFields object(String field) {
        return asObject(field, required(field));
    }

    public Optional<JsonFields> optionalObject(String field) {
        return find(field).map(v -> asObject(field, v));
    }

    private JsonFields asObject(String field, JsonNode v) {
        if (!v.isObject()) {
            throw error(field, "must be a JSON object");
        }
        return new JsonFields(at(field), (ObjectNode) v);
    }

    /** An array's elements, each of which must be an object. */
    public List<JsonFields> objects(String field) {
        JsonNode v = required(field);
        if (!v.isArray()) {
            throw error(field, "must be a JSON array");
        }
        List<JsonFields> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isObject()) {
                throw error(field + "[" + i + "]", "must be a JSON object");
            }
            out.add(new JsonFields(at(field + "[" + i + "]"), (ObjectNode) e));
        }
        return out;
    }

    /** An array of unsigned numbers up to {@code max}. */
    public List<Integer> numbers(String field, int max) {
        JsonNode v = required(field);
        if (!v.isArray()) {
            throw error(field, "must be a JSON array");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0 || e.asInt() > max) {
                throw error(field + "[" + i + "]", "must be a number from 0 to " + max);
            }
            out.add(e.asInt());
        }
        return out;
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
