package org.tpmauth.tss.fapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.Optional;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * One object of a FAPI keystore ({@code object.json}): a key or sealed object (objectType 1), an NV
 * index (2), an external public key (3) or a hierarchy (4). The JSON tree is kept whole, so fields
 * tpmauth does not know (creationData, appData, newer FAPI fields) survive when tpmauth rewrites it.
 * Parsing checks every field tpmauth reads, so a malformed file fails at once, naming file and field.
 */
public final class FapiObject {
    public static final int KEY = 1;
    public static final int NV = 2;
    public static final int EXT_PUB_KEY = 3;
    public static final int HIERARCHY = 4;

    private static final HexFormat HEX = HexFormat.of();

    private final String source;
    private final ObjectNode json;
    private final int objectType;
    private final TpmtPublic publicArea;
    private final TpmsNvPublic nvPublic;

    private FapiObject(String source, ObjectNode json) {
        this.source = source;
        this.json = json;
        JsonFields f = fields();
        this.objectType = (int) f.number("objectType", 5);
        this.nvPublic = objectType == NV ? NvPublicJson.readSized(f.object("public")) : null;
        if (objectType == KEY) {
            publicArea = PublicAreaJson.readSized(f.object("public"));
            f.u32("persistent_handle");
            f.text("description");
            f.text("certificate");
            f.hex("serialization");
            f.optionalHex("private");
            f.optionalObject("signing_scheme").map(PublicAreaJson::readSigScheme); // sealed objects have none
            f.optionalObject("policy");
            f.find("with_auth").ifPresent(v -> f.yesNo("with_auth"));
        } else if (objectType == HIERARCHY) {
            publicArea = null;
            f.hex("authPolicy");
            f.text("description");
        } else {
            publicArea = f.optionalObject("public").filter(p -> objectType != NV).map(PublicAreaJson::readSized)
                    .orElse(null);
        }
        f.find("system").ifPresent(v -> f.yesNo("system"));
    }

    /** Parses an object.json; {@code source} (the file) appears in errors. */
    public static FapiObject parse(byte[] json, String source) {
        return new FapiObject(source, FapiJson.parseObject(json, source));
    }

    /** Wraps a JSON tree (copied). */
    public static FapiObject of(ObjectNode json, String source) {
        return new FapiObject(source, json.deepCopy());
    }

    /**
     * A key or sealed object as FAPI writes it after TPM2_Create: public and private parts, its auth and
     * signing scheme (null for sealed data, which has none), no certificate, no description, and its JSON policy when one authorizes it.
     */
    public static FapiObject newKey(TpmtPublic publicArea, byte[] privateBlob, boolean withAuth, int persistentHandle,
            TpmtSigScheme signingScheme, boolean system, ObjectNode policy, byte[] serialization) {
        ObjectNode o = FapiJson.object();
        o.put("objectType", KEY);
        o.put("system", system ? "YES" : "NO");
        o.put("with_auth", withAuth ? "YES" : "NO");
        o.put("persistent_handle", Integer.toUnsignedLong(persistentHandle));
        o.set("public", PublicAreaJson.writeSized(publicArea));
        o.put("serialization", HEX.formatHex(serialization));
        if (privateBlob != null) {
            o.put("private", HEX.formatHex(privateBlob));
        }
        o.put("policyInstance", "");
        o.put("description", "");
        o.put("certificate", "");
        if (signingScheme != null) {
            o.set("signing_scheme", PublicAreaJson.writeSigScheme(signingScheme));
        }
        o.put("name", HEX.formatHex(publicArea.name()));
        o.put("delete_prohibited", "NO");
        o.put("ek_profile", "NO");
        if (policy != null) {
            o.set("policy", policy);
        }
        return new FapiObject("new object", o);
    }

    /**
     * An NV index as {@code tss2_createnv} writes it: its public area, the ESYS serialization, whether an
     * auth value protects it and its JSON policy when one authorizes it.
     */
    public static FapiObject newNv(TpmsNvPublic nvPublic, boolean withAuth, byte[] serialization, int esysHierarchy,
            String description, ObjectNode policy) {
        ObjectNode o = FapiJson.object();
        o.put("objectType", NV);
        o.put("system", "YES");
        o.put("with_auth", withAuth ? "YES" : "NO");
        o.put("nv_object", true);
        o.set("public", NvPublicJson.writeSized(nvPublic));
        o.put("serialization", HEX.formatHex(serialization));
        o.put("hierarchy", esysHierarchy);
        o.put("policyInstance", "");
        o.put("description", description);
        if (policy != null) {
            o.set("policy", policy);
        }
        return new FapiObject("new NV object", o);
    }

    /**
     * An external public key as {@code tss2_import} of a PEM file writes it: the PEM and the public area
     * FAPI derives from it (which only names the key; it never enters a TPM).
     */
    public static FapiObject newExternalKey(String pem, TpmtPublic publicArea) {
        ObjectNode o = FapiJson.object();
        o.put("objectType", EXT_PUB_KEY);
        o.put("system", "NO");
        o.put("pem_ext_public", pem);
        o.set("public", PublicAreaJson.writeSized(publicArea));
        return new FapiObject("new external key", o);
    }

    /** A hierarchy object (/HS, /HE, /HN, /LOCKOUT) as provisioning writes it. */
    public static FapiObject newHierarchy(String description, int esysHandle) {
        ObjectNode o = FapiJson.object();
        o.put("objectType", HIERARCHY);
        o.put("system", "YES");
        o.put("with_auth", "NO");
        o.put("authPolicy", "");
        o.put("description", description);
        o.put("esysHandle", esysHandle);
        return new FapiObject("new hierarchy", o);
    }

    private JsonFields fields() {
        return JsonFields.of(source, json);
    }

    public String source() {
        return source;
    }

    public int objectType() {
        return objectType;
    }

    public boolean isKey() {
        return objectType == KEY;
    }

    /** The TPMT_PUBLIC of a key or sealed object. */
    public TpmtPublic publicArea() {
        if (publicArea == null) {
            throw new FapiFormatException(source, "objectType " + objectType + " has no TPM public area");
        }
        return publicArea;
    }

    public boolean isNv() {
        return objectType == NV;
    }

    /** The TPMS_NV_PUBLIC of an NV index. */
    public TpmsNvPublic nvPublic() {
        if (nvPublic == null) {
            throw new FapiFormatException(source, "objectType " + objectType + " is no NV index");
        }
        return nvPublic;
    }

    /** Records the NV public area after a change the TPM made (WRITTEN set by the first write). */
    public void setNvPublic(TpmsNvPublic nv, byte[] serialization) {
        json.set("public", NvPublicJson.writeSized(nv));
        json.put("serialization", HEX.formatHex(serialization));
    }

    /** The PEM public key of an external key (objectType 3), empty when it has none. */
    public String externalPem() {
        return fields().optionalText("pem_ext_public").orElse("");
    }

    /** TPM2B_PUBLIC bytes (with the size). */
    public byte[] publicBytes() {
        return TpmWriter.marshal(publicArea()::marshalSized);
    }

    /** The TPM2B_PRIVATE's buffer (without its size); empty for persistent objects. */
    public byte[] privateBlob() {
        return fields().optionalHex("private").orElse(new byte[0]);
    }

    /** The persistent handle, 0 for an object loaded from its blobs. */
    public int persistentHandle() {
        return isKey() ? fields().u32("persistent_handle") : 0;
    }

    /** Whether an auth value protects the object ({@code with_auth}). */
    public boolean withAuth() {
        return fields().find("with_auth").isPresent() && fields().yesNo("with_auth");
    }

    public boolean isSystem() {
        return fields().find("system").isPresent() && fields().yesNo("system");
    }

    /** The scheme the key signs with; NULL for sealed objects, which have none. */
    public TpmtSigScheme signingScheme() {
        return fields().optionalObject("signing_scheme").map(PublicAreaJson::readSigScheme).orElse(TpmtSigScheme.NULL);
    }

    public String description() {
        return fields().optionalText("description").orElse("");
    }

    public void setDescription(String description) {
        json.put("description", description);
    }

    /** The PEM certificate, empty when none was set. */
    public String certificate() {
        return fields().optionalText("certificate").orElse("");
    }

    public void setCertificate(String pem) {
        json.put("certificate", pem);
    }

    /** A new private blob (after TPM2_ObjectChangeAuth) and whether an auth value now protects the object. */
    public void setPrivate(byte[] privateBlob, boolean withAuth) {
        json.put("private", HEX.formatHex(privateBlob));
        json.put("with_auth", withAuth ? "YES" : "NO");
    }

    /** The JSON policy (instance) that authorizes the object, as FAPI stores it in {@code policy}. */
    public Optional<ObjectNode> policy() {
        return fields().optionalObject("policy").map(JsonFields::node).map(ObjectNode::deepCopy);
    }

    /** The tree (a copy), unknown fields included. */
    public ObjectNode json() {
        return json.deepCopy();
    }

    ObjectNode tree() {
        return json;
    }

    @Override
    public String toString() {
        return "FapiObject[" + source + ", objectType " + objectType + "]";
    }
}
