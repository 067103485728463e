package org.tpmauth.tss.fapi.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.tss.fapi.FapiJson;
import org.tpmauth.tss.fapi.JsonFields;
import org.tpmauth.tss.fapi.NvPublicJson;
import org.tpmauth.tss.fapi.PublicAreaJson;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A policy in the TCG JSON policy language as tpm2-tss FAPI reads it
 * ({@code {"description": "...", "policy": [ {"type": "POLICYPCR", ...}, ... ]}}): parsed, its digest
 * computed in software (equal to what FAPI records for the same file), and run in a policy session
 * by {@link PolicyRunner}.
 *
 * @param description    the policy's description
 * @param elements       the elements in order
 * @param authorizations the signatures that approve this policy for PolicyAuthorize ({@code policyAuthorizations})
 * @param json           the file's JSON tree, kept to be stored with the objects it authorizes
 */
public record JsonPolicy(String description, List<PolicyElement> elements, List<PolicyAuthorization> authorizations,
        ObjectNode json) {
    private static final String AUTHORIZATIONS = "policyAuthorizations";

    public JsonPolicy {
        elements = List.copyOf(elements);
        authorizations = List.copyOf(authorizations);
        json = json.deepCopy();
    }

    /** Parses a policy file; errors name {@code source} and the field. */
    public static JsonPolicy parse(byte[] bytes, String source) {
        ObjectNode node = FapiJson.parseObject(bytes, source);
        return of(JsonFields.of(source, node));
    }

    /** Reads a policy from a JSON object (a file, or the {@code policy} of a keystore object). */
    public static JsonPolicy of(JsonFields json) {
        List<PolicyAuthorization> authorizations = new ArrayList<>();
        if (json.has(AUTHORIZATIONS)) {
            for (JsonFields a : json.objects(AUTHORIZATIONS)) {
                authorizations.add(PolicyAuthorization.read(a));
            }
        }
        return new JsonPolicy(json.optionalText("description").orElse(""), elements(json, 0), authorizations,
                json.node());
    }

    /** This policy with {@code authorization} added to its {@code policyAuthorizations}, as tss2_authorizepolicy does. */
    public JsonPolicy withAuthorization(PolicyAuthorization authorization) {
        ObjectNode out = json.deepCopy();
        ArrayNode array = out.arrayNode();
        // FAPI matches field names whatever their case: the list under its first spelling, kept under one
        boolean found = false;
        for (var fields = out.fields(); fields.hasNext();) {
            var field = fields.next();
            if (field.getKey().equalsIgnoreCase(AUTHORIZATIONS)) {
                if (!found && field.getValue() instanceof ArrayNode existing) {
                    array.addAll(existing);
                }
                found = true;
                fields.remove();
            }
        }
        array.add(authorization.toJson());
        out.set(AUTHORIZATIONS, array);
        return of(JsonFields.of("authorized policy", out));
    }

    /**
     * This policy with its digest for {@code nameAlg} in {@code policyDigests} (unless one is there), which
     * FAPI reads, not computes, when a PolicyAuthorize takes the policy.
     */
    public JsonPolicy withDigest(TpmAlg nameAlg, PolicyContext context) {
        var existing = json.get("policyDigests");
        if (existing != null && existing.isArray()) {
            for (var d : existing) {
                if (d.path("hashAlg").asText().replaceFirst("^(TPM2_)?ALG_", "").equalsIgnoreCase(nameAlg.name())) {
                    return this;
                }
            }
        }
        ObjectNode out = json.deepCopy();
        ArrayNode digests = existing != null && existing.isArray() ? (ArrayNode) out.get("policyDigests")
                : out.putArray("policyDigests");
        addDigest(digests, nameAlg, digest(nameAlg, context));
        return of(JsonFields.of("policy with its digest", out));
    }

    static List<PolicyElement> elements(JsonFields json, int depth) {
        List<PolicyElement> out = new ArrayList<>();
        for (JsonFields e : json.objects("policy")) {
            out.add(PolicyElement.parse(e, depth));
        }
        return out;
    }

    /** Whether an element of {@code type} appears in the policy, in OR branches too. */
    public boolean has(Class<? extends PolicyElement> type) {
        return has(elements, type);
    }

    private static boolean has(List<PolicyElement> elements, Class<? extends PolicyElement> type) {
        return elements.stream().anyMatch(e -> type.isInstance(e) || (e instanceof PolicyElement.Or or
                && or.branches().stream().anyMatch(b -> has(b.policy(), type))));
    }

    /** The policy digest for objects whose name algorithm is {@code nameAlg}. */
    public byte[] digest(TpmAlg nameAlg, PolicyContext context) {
        return digest(elements, nameAlg, context, "");
    }

    static byte[] digest(List<PolicyElement> elements, TpmAlg nameAlg, PolicyContext context, String prefix) {
        PolicyDigest digest = new PolicyDigest(nameAlg);
        for (int i = 0; i < elements.size(); i++) {
            PolicyElement e = elements.get(i);
            try {
                e.apply(digest, context);
            } catch (PolicyException nested) {
                throw nested;
            } catch (RuntimeException failure) {
                throw new PolicyException(prefix + "element " + (i + 1) + " (" + e.label() + "): "
                        + failure.getMessage(), failure);
            }
        }
        return digest.value();
    }

    /**
     * The policy as FAPI stores it with an object it authorizes: {@code currentPCRs} replaced by the
     * PCRs' values now (in the name algorithm's bank), keystore paths and PEM keys by what they name
     * ({@code keyPath} and {@code keyPEM} by {@code keyPublic}, {@code objectPath} by {@code objectName},
     * {@code nvPath} by {@code nvIndex} and {@code nvPublic}), and {@code policyDigests} on the policy, on each element (the digest after
     * it) and on each PolicyOR branch, as {@code tss2_exportpolicy} shows.
     */
    public ObjectNode instantiate(TpmAlg nameAlg, PolicyContext context) {
        ObjectNode out = json.deepCopy();
        instantiatePcrs(out, nameAlg, context);
        resolvePaths(out, context);
        JsonPolicy instantiated = JsonPolicy.of(JsonFields.of("instantiated policy", out));
        byte[] digest = annotate((ArrayNode) out.get("policy"), instantiated.elements, nameAlg, context);
        setDigest(out, nameAlg, digest);
        return out;
    }

    private static byte[] annotate(ArrayNode nodes, List<PolicyElement> elements, TpmAlg nameAlg,
            PolicyContext context) {
        PolicyDigest digest = new PolicyDigest(nameAlg);
        for (int i = 0; i < elements.size(); i++) {
            ObjectNode node = (ObjectNode) nodes.get(i);
            if (elements.get(i) instanceof PolicyElement.Or or) {
                for (int b = 0; b < or.branches().size(); b++) {
                    ObjectNode branch = (ObjectNode) node.get("branches").get(b);
                    setDigest(branch, nameAlg, annotate((ArrayNode) branch.get("policy"), or.branches().get(b).policy(),
                            nameAlg, context));
                }
            }
            elements.get(i).apply(digest, context);
            setDigest(node, nameAlg, digest.value());
        }
        return digest.value();
    }

    private static void instantiatePcrs(com.fasterxml.jackson.databind.JsonNode node, TpmAlg nameAlg,
            PolicyContext context) {
        if (node.isObject() && node.has("currentPCRs") && node.get("currentPCRs").isArray()) {
            ObjectNode element = (ObjectNode) node;
            ArrayNode pcrs = FapiJson.object().arrayNode();
            for (var pcr : element.get("currentPCRs")) {
                ObjectNode v = pcrs.addObject();
                v.put("pcr", pcr.asInt());
                v.put("hashAlg", nameAlg.name());
                v.put("digest", HexFormat.of().formatHex(context.pcrValue(nameAlg, pcr.asInt())));
            }
            element.remove("currentPCRs");
            element.set("pcrs", pcrs);
        }
        node.forEach(child -> instantiatePcrs(child, nameAlg, context));
    }

    private static void resolvePaths(com.fasterxml.jackson.databind.JsonNode node, PolicyContext context) {
        if (node.isObject()) {
            ObjectNode element = (ObjectNode) node;
            if (element.has("keyPEM") && !element.has("keyPublic")) { // FAPI keeps the public area it derived
                TpmtPublic key = PemKeys.read(JsonFields.of("keyPEM", element), "keyPEM");
                element.remove("keyPEM");
                element.set("keyPublic", PublicAreaJson.write(key));
                element.put("keyName", HexFormat.of().formatHex(key.name()));
            }
            if (element.has("keyPath") && !element.has("keyPublic") && !element.has("keyPEM")) {
                TpmtPublic key = context.objectPublic(element.remove("keyPath").asText());
                element.set("keyPublic", PublicAreaJson.write(key));
                element.put("keyName", HexFormat.of().formatHex(key.name()));
            }
            if (element.has("objectPath") && !element.has("objectName")) {
                element.put("objectName", HexFormat.of().formatHex(context.objectName(element.remove("objectPath")
                        .asText())));
            }
            if (element.has("newParentPath") && !element.has("newParentName") && !element.has("newParentPublic")) {
                TpmtPublic parent = context.objectPublic(element.remove("newParentPath").asText());
                element.put("newParentName", HexFormat.of().formatHex(parent.name()));
                // FAPI writes size 0 here, and its reader takes a real size for a second, conflicting field
                ObjectNode sized = PublicAreaJson.writeSized(parent);
                sized.put("size", 0);
                element.set("newParentPublic", sized);
            }
            if (element.has("nvPath") && !element.has("nvIndex") && !element.has("nvPublic")) {
                TpmsNvPublic nv = context.nvPublic(element.remove("nvPath").asText());
                element.put("nvIndex", Integer.toUnsignedLong(nv.nvIndex()));
                element.set("nvPublic", NvPublicJson.writeSized(nv));
            }
        }
        node.forEach(child -> resolvePaths(child, context));
    }

    private static void setDigest(ObjectNode node, TpmAlg nameAlg, byte[] digest) {
        addDigest(node.putArray("policyDigests"), nameAlg, digest);
    }

    private static void addDigest(ArrayNode digests, TpmAlg nameAlg, byte[] digest) {
        ObjectNode d = digests.addObject();
        d.put("hashAlg", nameAlg.name());
        d.put("digest", HexFormat.of().formatHex(digest));
    }
}
