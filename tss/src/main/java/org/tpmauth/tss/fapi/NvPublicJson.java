package org.tpmauth.tss.fapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;

/**
 * TPM2B_NV_PUBLIC in the JSON form FAPI writes into an NV object.json and into policies
 * ({@code {"size":0,"nvPublic":{"nvIndex":25165824,"nameAlg":"SHA256","attributes":{"AUTHWRITE":1, ...,
 * "TPM2_NT":"ORDINARY"},"authPolicy":"","dataSize":32}}}).
 */
public final class NvPublicJson {
    /** TPMA_NV bits by the names FAPI writes, in its order (TPM2_NT sits after READ_STCLEAR). */
    private static final Map<String, Integer> ATTRIBUTES = new LinkedHashMap<>();
    /** TPM_NT values by name; the index is the value. */
    private static final List<String> TYPES = List.of("ORDINARY", "COUNTER", "BITS", "", "EXTEND", "", "", "", "PIN_FAIL",
            "PIN_PASS");

    static {
        ATTRIBUTES.put("PPWRITE", TpmaNv.PPWRITE);
        ATTRIBUTES.put("OWNERWRITE", TpmaNv.OWNERWRITE);
        ATTRIBUTES.put("AUTHWRITE", TpmaNv.AUTHWRITE);
        ATTRIBUTES.put("POLICYWRITE", TpmaNv.POLICYWRITE);
        ATTRIBUTES.put("POLICY_DELETE", TpmaNv.POLICY_DELETE);
        ATTRIBUTES.put("WRITELOCKED", TpmaNv.WRITELOCKED);
        ATTRIBUTES.put("WRITEALL", TpmaNv.WRITEALL);
        ATTRIBUTES.put("WRITEDEFINE", TpmaNv.WRITEDEFINE);
        ATTRIBUTES.put("WRITE_STCLEAR", TpmaNv.WRITE_STCLEAR);
        ATTRIBUTES.put("GLOBALLOCK", TpmaNv.GLOBALLOCK);
        ATTRIBUTES.put("PPREAD", TpmaNv.PPREAD);
        ATTRIBUTES.put("OWNERREAD", TpmaNv.OWNERREAD);
        ATTRIBUTES.put("AUTHREAD", TpmaNv.AUTHREAD);
        ATTRIBUTES.put("POLICYREAD", TpmaNv.POLICYREAD);
        ATTRIBUTES.put("NO_DA", TpmaNv.NO_DA);
        ATTRIBUTES.put("ORDERLY", TpmaNv.ORDERLY);
        ATTRIBUTES.put("CLEAR_STCLEAR", TpmaNv.CLEAR_STCLEAR);
        ATTRIBUTES.put("READLOCKED", TpmaNv.READLOCKED);
        ATTRIBUTES.put("WRITTEN", TpmaNv.WRITTEN);
        ATTRIBUTES.put("PLATFORMCREATE", TpmaNv.PLATFORMCREATE);
        ATTRIBUTES.put("READ_STCLEAR", TpmaNv.READ_STCLEAR);
    }

    private NvPublicJson() {
    }

    /** Reads a TPM2B_NV_PUBLIC ({@code size}, ignored, and {@code nvPublic}). */
    public static TpmsNvPublic readSized(JsonFields json) {
        return read(json.object("nvPublic"));
    }

    /** Reads a TPMS_NV_PUBLIC; {@code attributes} is an object of flags with TPM2_NT, or a number. */
    public static TpmsNvPublic read(JsonFields json) {
        int attributes;
        if (json.required("attributes").isObject()) {
            JsonFields bits = json.object("attributes");
            attributes = bits.flags(ATTRIBUTES);
            if (bits.has("TPM2_NT")) {
                attributes = TpmaNv.withType(attributes, type(bits));
            }
        } else {
            attributes = json.u32("attributes");
        }
        byte[] authPolicy = json.has("authPolicy") ? json.hex("authPolicy") : new byte[0];
        try {
            return new TpmsNvPublic(json.u32("nvIndex"), json.alg("nameAlg"), attributes, authPolicy,
                    json.u16("dataSize"));
        } catch (IllegalArgumentException e) {
            throw new FapiFormatException(json.at("nameAlg"), e.getMessage());
        }
    }

    /** TPM2_NT by name (ORDINARY, COUNTER, ...) or as a number 0 to 15. */
    private static int type(JsonFields bits) {
        var v = bits.required("TPM2_NT");
        if (v.isIntegralNumber() || v.asText().matches("[0-9]+")) {
            return (int) bits.number("TPM2_NT", 15);
        }
        int type = TYPES.indexOf(bits.constant("TPM2_NT", "TPM2_NT_").toUpperCase(java.util.Locale.ROOT));
        if (type < 0 || TYPES.get(type).isEmpty()) {
            throw bits.error("TPM2_NT", "must be one of ORDINARY, COUNTER, BITS, EXTEND, PIN_FAIL, PIN_PASS");
        }
        return type;
    }

    /** Writes TPM2B_NV_PUBLIC as FAPI does (size 0). */
    public static ObjectNode writeSized(TpmsNvPublic nv) {
        ObjectNode sized = FapiJson.object();
        sized.put("size", 0);
        ObjectNode p = sized.putObject("nvPublic");
        p.put("nvIndex", Integer.toUnsignedLong(nv.nvIndex()));
        p.put("nameAlg", nv.nameAlg().name());
        ObjectNode a = p.putObject("attributes");
        ATTRIBUTES.forEach((name, bit) -> a.put(name, (nv.attributes() & bit) != 0 ? 1 : 0));
        int type = TpmaNv.type(nv.attributes());
        a.put("TPM2_NT", type < TYPES.size() && !TYPES.get(type).isEmpty() ? TYPES.get(type) : Integer.toString(type));
        p.put("authPolicy", HexFormat.of().formatHex(nv.authPolicy()));
        p.put("dataSize", nv.dataSize());
        return sized;
    }
}
