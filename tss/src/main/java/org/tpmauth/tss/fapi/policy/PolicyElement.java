package org.tpmauth.tss.fapi.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tpmauth.tss.fapi.FapiFormatException;
import org.tpmauth.tss.fapi.JsonFields;
import org.tpmauth.tss.fapi.NvPublicJson;
import org.tpmauth.tss.fapi.PublicAreaJson;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * One element of a TCG JSON policy ({@code {"type": "POLICYPCR", ...}}), as tpm2-tss FAPI reads it:
 * the type with or without its "Policy" prefix, in any case. Each element extends a policy digest
 * as its TPM2_Policy* command does.
 */
public sealed interface PolicyElement {
    /** The element's name in messages, e.g. "PolicyPCR". */
    String label();

    /** Extends {@code digest} as the element's policy command does. */
    void apply(PolicyDigest digest, PolicyContext context);

    /** A PCR with the value it must have. */
    record PcrValue(int pcr, TpmAlg bank, byte[] digest) {
    }

    /** PolicyPCR with given values ({@code pcrs}) or the values PCRs have now ({@code currentPCRs}). */
    record Pcr(List<PcrValue> pcrs, List<Integer> currentPcrs) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyPCR";
        }

        /** The values in TPML_PCR_SELECTION order: banks in order of appearance, PCRs ascending. */
        public Map<TpmAlg, TreeMap<Integer, byte[]>> values(TpmAlg nameAlg, PolicyContext context) {
            Map<TpmAlg, TreeMap<Integer, byte[]>> banks = new LinkedHashMap<>();
            for (PcrValue v : pcrs) {
                banks.computeIfAbsent(v.bank(), b -> new TreeMap<>()).put(v.pcr(), v.digest());
            }
            for (int pcr : currentPcrs) {
                banks.computeIfAbsent(nameAlg, b -> new TreeMap<>()).put(pcr, context.pcrValue(nameAlg, pcr));
            }
            return banks;
        }

        public static List<TpmsPcrSelection> selection(Map<TpmAlg, TreeMap<Integer, byte[]>> values) {
            List<TpmsPcrSelection> out = new ArrayList<>();
            values.forEach((bank, pcrs) -> out.add(TpmsPcrSelection.of(bank,
                    pcrs.keySet().stream().mapToInt(Integer::intValue).toArray())));
            return out;
        }

        public static byte[] pcrDigest(TpmAlg nameAlg, Map<TpmAlg, TreeMap<Integer, byte[]>> values) {
            List<byte[]> ordered = new ArrayList<>();
            values.values().forEach(pcrs -> ordered.addAll(pcrs.values()));
            return PolicyDigest.pcrValuesDigest(nameAlg, ordered);
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            Map<TpmAlg, TreeMap<Integer, byte[]>> values = values(digest.nameAlg(), context);
            digest.pcr(selection(values), pcrDigest(digest.nameAlg(), values));
        }
    }

    record AuthValue() implements PolicyElement {
        @Override
        public String label() {
            return "PolicyAuthValue";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.authValue();
        }
    }

    record Password() implements PolicyElement {
        @Override
        public String label() {
            return "PolicyPassword";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.password();
        }
    }

    record CommandCode(int code) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyCommandCode";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.commandCode(code);
        }
    }

    /** PolicySecret on an object given by Name or keystore path. */
    record Secret(byte[] objectName, String objectPath, byte[] policyRef) implements PolicyElement {
        @Override
        public String label() {
            return "PolicySecret";
        }

        public byte[] name(PolicyContext context) {
            return objectName.length > 0 ? objectName : context.objectName(objectPath);
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.secret(name(context), policyRef);
        }
    }

    /**
     * PolicySigned by a key given by its public area ({@code keyPublic} or {@code keyPEM}; null
     * otherwise), its Name or its keystore path.
     */
    record Signed(TpmtPublic keyPublic, byte[] keyName, String keyPath, byte[] policyRef) implements PolicyElement {
        @Override
        public String label() {
            return "PolicySigned";
        }

        /** The signing key's public area, which the TPM loads to check the signature. */
        public TpmtPublic key(PolicyContext context) {
            if (keyPublic != null) {
                return keyPublic;
            }
            if (keyPath == null) {
                throw new IllegalStateException("the policy names the PolicySigned key by its Name only; give "
                        + "keyPublic, keyPEM or keyPath so that the TPM can check the signature");
            }
            return context.objectPublic(keyPath);
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.signed(keyName.length > 0 ? keyName : context.objectName(keyPath), policyRef);
        }
    }

    /** PolicyAuthorize by a key given by its public area, Name or keystore path. */
    record Authorize(byte[] keyName, String keyPath, byte[] policyRef, byte[] approvedPolicy) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyAuthorize";
        }

        public byte[] name(PolicyContext context) {
            return keyName.length > 0 ? keyName : context.objectName(keyPath);
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.authorize(name(context), policyRef);
        }
    }

    /** One branch of a PolicyOR. */
    record Branch(String name, List<PolicyElement> policy) {
    }

    record Or(List<Branch> branches) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyOR";
        }

        /** Each branch's digest, computed from a fresh policy. */
        public List<byte[]> branchDigests(TpmAlg nameAlg, PolicyContext context) {
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < branches.size(); i++) {
                out.add(JsonPolicy.digest(branches.get(i).policy(), nameAlg, context, "branch " + (i + 1) + " of "
                        + "PolicyOR: "));
            }
            return out;
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.or(branchDigests(digest.nameAlg(), context));
        }
    }

    /**
     * PolicyNV on an index given by its handle ({@code nvIndex}), by its public area ({@code nvPublic},
     * as FAPI's instances carry it; else null) or by its keystore path ({@code nvPath}; else null).
     */
    record Nv(int nvIndex, TpmsNvPublic nvPublic, String nvPath, byte[] operandB, int offset, int operation)
            implements PolicyElement {
        @Override
        public String label() {
            return "PolicyNV";
        }

        /** The index's handle. */
        public int index(PolicyContext context) {
            return nvPublic != null ? nvPublic.nvIndex() : nvPath != null ? context.nvPublic(nvPath).nvIndex() : nvIndex;
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            byte[] name = nvPublic != null ? nvPublic.name()
                    : nvPath != null ? context.nvPublic(nvPath).name() : context.nvName(nvIndex);
            digest.nv(name, operandB, offset, operation);
        }
    }

    record CounterTimer(byte[] operandB, int offset, int operation) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyCounterTimer";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.counterTimer(operandB, offset, operation);
        }
    }

    record Locality(int locality) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyLocality";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.locality(locality);
        }
    }

    record NvWritten(boolean writtenSet) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyNvWritten";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.nvWritten(writtenSet);
        }
    }

    /** PolicyDuplicationSelect to a new parent given by its Name or public area, or by keystore path (else null). */
    record DuplicationSelect(byte[] objectName, byte[] newParentName, String newParentPath, boolean includeObject)
            implements PolicyElement {
        @Override
        public String label() {
            return "PolicyDuplicationSelect";
        }

        public byte[] parentName(PolicyContext context) {
            return newParentPath != null ? context.objectName(newParentPath) : newParentName;
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            digest.duplicationSelect(objectName, parentName(context), includeObject);
        }
    }

    /**
     * PolicyAction: no TPM command and no change to the digest; the application's action callback runs
     * when a session reaches it (FAPI's POLICYACTION).
     */
    record Action(String action) implements PolicyElement {
        @Override
        public String label() {
            return "PolicyAction";
        }

        @Override
        public void apply(PolicyDigest digest, PolicyContext context) {
            // FAPI leaves the digest as it is
        }
    }

    /** TPM2_EO operations of PolicyNV / PolicyCounterTimer by name. */
    List<String> OPERATIONS = List.of("EQ", "NEQ", "SIGNED_GT", "UNSIGNED_GT", "SIGNED_LT", "UNSIGNED_LT",
            "SIGNED_GE", "UNSIGNED_GE", "SIGNED_LE", "UNSIGNED_LE", "BITSET", "BITCLEAR");

    /** Reads one element; {@code depth} bounds nested PolicyOR branches. */
    static PolicyElement parse(JsonFields json, int depth) {
        String type = json.constant("type", "POLICY").toLowerCase(Locale.ROOT);
        switch (type) {
            case "pcr": {
                if (json.has("pcrs") == json.has("currentPCRs")) {
                    throw json.error("pcrs", "give exactly one of pcrs and currentPCRs");
                }
                List<PcrValue> values = new ArrayList<>();
                if (json.has("pcrs")) {
                    for (JsonFields v : json.objects("pcrs")) {
                        TpmAlg bank = v.alg("hashAlg");
                        if (!bank.isHash()) {
                            throw v.error("hashAlg", "must be a hash algorithm");
                        }
                        byte[] d = v.hex("digest");
                        if (d.length != bank.digestSize()) {
                            throw v.error("digest", "must have " + bank.digestSize() + " bytes for " + bank);
                        }
                        values.add(new PcrValue((int) v.number("pcr", 31), bank, d));
                    }
                }
                return new Pcr(values, json.has("currentPCRs") ? json.numbers("currentPCRs", 31) : List.of());
            }
            case "authvalue":
                return new AuthValue();
            case "password":
                return new Password();
            case "commandcode":
                return new CommandCode(commandCode(json));
            case "secret":
                return new Secret(json.optionalHex("objectName").orElse(new byte[0]),
                        exactlyOne(json, "objectName", "objectPath") == 1 ? json.text("objectPath") : null,
                        policyRef(json));
            case "signed": {
                TpmtPublic key = keyPublic(json);
                return new Signed(key, key != null ? key.name() : keyName(json, "publicKey"),
                        json.has("keyPath") ? json.text("keyPath") : null, policyRef(json));
            }
            case "authorize": {
                TpmtPublic key = keyPublic(json);
                return new Authorize(key != null ? key.name() : keyName(json, "keyName"),
                        json.has("keyPath") ? json.text("keyPath") : null, policyRef(json),
                        json.optionalHex("approvedPolicy").orElse(new byte[0]));
            }
            case "or": {
                if (depth > 8) {
                    throw json.error("branches", "PolicyOR nests deeper than 8 levels");
                }
                List<Branch> branches = new ArrayList<>();
                for (JsonFields b : json.objects("branches")) {
                    branches.add(new Branch(b.optionalText("name").orElse(""), JsonPolicy.elements(b, depth + 1)));
                }
                if (branches.size() < 2 || branches.size() > 8) {
                    throw json.error("branches", "a PolicyOR has 2 to 8 branches, not " + branches.size());
                }
                return new Or(branches);
            }
            case "nv": {
                if (!json.has("nvIndex") && !json.has("nvPublic") && !json.has("nvPath")) {
                    throw json.error("nvIndex", "is missing; give nvIndex, nvPublic or nvPath");
                }
                TpmsNvPublic nvPublic = json.has("nvPublic") ? NvPublicJson.readSized(json.object("nvPublic")) : null;
                return new Nv(json.has("nvIndex") ? json.u32("nvIndex") : 0, nvPublic,
                        nvPublic == null && !json.has("nvIndex") ? json.text("nvPath") : null, json.hex("operandB"),
                        json.has("offset") ? json.u16("offset") : 0, operation(json, false));
            }
            case "countertimer":
                return new CounterTimer(json.hex("operandB"), json.has("offset") ? json.u16("offset") : 0,
                        operation(json, true));
            case "locality":
                return new Locality(locality(json));
            case "action":
                return new Action(json.text("action"));
            case "nvwritten":
                return new NvWritten(!json.has("writtenSet") || json.yesNo("writtenSet"));
            case "duplicationselect": {
                byte[] objectName = json.optionalHex("objectName").orElse(new byte[0]);
                boolean include = json.has("includeObject") ? json.yesNo("includeObject") : objectName.length > 0;
                if (!json.has("newParentName") && !json.has("newParentPublic") && !json.has("newParentPath")) {
                    throw json.error("newParentName", "give newParentName, newParentPublic or newParentPath");
                }
                // FAPI's instances carry the Name and the public area of the new parent
                byte[] newParent = json.has("newParentName") ? json.hex("newParentName")
                        : json.has("newParentPublic") ? PublicAreaJson.readSized(json.object("newParentPublic")).name()
                        : new byte[0];
                return new DuplicationSelect(objectName, newParent, newParent.length > 0 ? null
                        : json.text("newParentPath"), include);
            }
            default:
                throw json.error("type", "unknown or unsupported policy element \"" + json.text("type")
                        + "\"; tpmauth reads PolicyPCR, AuthValue, Password, CommandCode, Secret, Signed, OR, "
                        + "Authorize, NV, CounterTimer, Locality, NvWritten, DuplicationSelect, Action");
        }
    }

    private static int exactlyOne(JsonFields json, String a, String b) {
        if (json.has(a) == json.has(b)) {
            throw json.error(a, "give exactly one of " + a + " and " + b);
        }
        return json.has(a) ? 0 : 1;
    }

    private static byte[] policyRef(JsonFields json) {
        return json.optionalHex("policyRef").orElse(new byte[0]);
    }

    /**
     * The key's public area from {@code keyPublic} (FAPI's exported policies carry the Name beside it)
     * or from {@code keyPEM} as FAPI derives it; null when neither is given.
     */
    private static TpmtPublic keyPublic(JsonFields json) {
        if (json.has("keyPublic")) {
            return PublicAreaJson.read(json.object("keyPublic"));
        }
        return json.has("keyPEM") ? PemKeys.read(json, "keyPEM") : null;
    }

    /** A key's Name from the Name field, or empty when a keyPath names the key. */
    private static byte[] keyName(JsonFields json, String nameField) {
        if (json.has(nameField) == json.has("keyPath")) {
            throw json.error("keyPublic", "give exactly one of keyPublic, keyPEM, " + nameField + " and keyPath");
        }
        return json.has(nameField) ? json.hex(nameField) : new byte[0];
    }

    private static int commandCode(JsonFields json) {
        if (json.required("code").isIntegralNumber()) {
            return json.u32("code");
        }
        String name = json.text("code");
        if (name.startsWith("0x")) {
            return json.u32("code");
        }
        return TpmCc.byName(name).orElseThrow(() -> json.error("code", "unknown command \"" + name + "\""));
    }

    private static int operation(JsonFields json, boolean required) {
        if (!json.has("operation")) {
            if (required) {
                throw json.error("operation", "is missing");
            }
            return 0;
        }
        if (json.required("operation").isIntegralNumber()) {
            return (int) json.number("operation", OPERATIONS.size() - 1);
        }
        String op = json.constant("operation", "TPM2_EO_", "TPM_EO_").toUpperCase(Locale.ROOT);
        int i = OPERATIONS.indexOf(op);
        if (i < 0) {
            throw json.error("operation", "unknown operation " + op + "; one of " + OPERATIONS);
        }
        return i;
    }

    /** TPMA_LOCALITY: a number, or an object or array of ZERO, ONE, TWO, THREE, FOUR. */
    private static int locality(JsonFields json) {
        var v = json.required("locality");
        List<String> names = List.of("ZERO", "ONE", "TWO", "THREE", "FOUR");
        if (v.isIntegralNumber()) {
            return (int) json.number("locality", 255);
        }
        int bits = 0;
        if (v.isObject()) {
            JsonFields o = json.object("locality");
            for (int i = 0; i < names.size(); i++) {
                if (o.has(names.get(i)) && o.yesNo(names.get(i))) {
                    bits |= 1 << i;
                }
            }
            return bits;
        }
        if (v.isArray()) {
            for (var e : v) {
                int i = names.indexOf(e.asText().replaceFirst("(?i)^TPMA_LOCALITY_TPM_LOC_", "")
                        .toUpperCase(Locale.ROOT));
                if (i < 0) {
                    throw json.error("locality", "unknown locality " + e.asText());
                }
                bits |= 1 << i;
            }
            return bits;
        }
        throw new FapiFormatException(json.at("locality"), "must be a number, object or array");
    }
}
