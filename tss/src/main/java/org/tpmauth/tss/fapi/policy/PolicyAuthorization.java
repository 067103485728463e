package org.tpmauth.tss.fapi.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import org.tpmauth.tss.fapi.FapiJson;
import org.tpmauth.tss.fapi.JsonFields;
import org.tpmauth.tss.fapi.PublicAreaJson;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;

/**
 * One entry of a policy file's {@code policyAuthorizations}, as {@code tss2_authorizepolicy} writes it:
 * the signer's public area ({@code key}), the {@code policyRef} and the signature over
 * H(policyDigest || policyRef), with which a PolicyAuthorize by that key accepts the policy.
 *
 * @param key       the signer's TPMT_PUBLIC; its Name is what a PolicyAuthorize element names
 * @param policyRef the policyRef the signature covers
 * @param signature the signature (TPMT_SIGNATURE)
 */
public record PolicyAuthorization(TpmtPublic key, byte[] policyRef, TpmtSignature signature) {
    private static final HexFormat HEX = HexFormat.of();

    public PolicyAuthorization {
        policyRef = policyRef.clone();
    }

    /**
     * A policy approved by a signer: the policy to run, then the authorization that turns its digest into
     * the signer's authorized-policy digest.
     *
     * @param source where the policy came from, for messages (e.g. /policy/pcr)
     */
    public record Approved(String source, JsonPolicy policy, PolicyAuthorization authorization) {
    }

    /** Reads one entry; errors name the field. */
    static PolicyAuthorization read(JsonFields json) {
        return new PolicyAuthorization(PublicAreaJson.read(json.object("key")),
                json.optionalHex("policyRef").orElse(new byte[0]), signature(json.object("signature")));
    }

    /** The entry as FAPI writes it (type "tpm": a keystore key signed). */
    public ObjectNode toJson() {
        ObjectNode o = FapiJson.object();
        o.put("type", "tpm");
        o.put("policyRef", HEX.formatHex(policyRef));
        o.set("key", PublicAreaJson.write(key));
        ObjectNode sig = o.putObject("signature");
        ObjectNode body = FapiJson.object();
        if (signature instanceof TpmtSignature.Ecc e) {
            sig.put("sigAlg", e.sigAlg().name());
            body.put("hash", e.hash().name());
            body.put("signatureR", HEX.formatHex(e.r()));
            body.put("signatureS", HEX.formatHex(e.s()));
        } else if (signature instanceof TpmtSignature.Rsa r) {
            sig.put("sigAlg", r.sigAlg().name());
            body.put("hash", r.hash().name());
            body.put("sig", HEX.formatHex(r.sig()));
        } else {
            throw new IllegalArgumentException("a policy authorization is an RSA or ECDSA signature, not "
                    + signature.sigAlg());
        }
        sig.set("signature", body);
        return o;
    }

    /** TPMT_SIGNATURE as FAPI writes it: {"sigAlg":"ECDSA","signature":{"hash":..,"signatureR":..,"signatureS":..}}. */
    private static TpmtSignature signature(JsonFields json) {
        TpmAlg sigAlg = json.alg("sigAlg");
        JsonFields body = json.object("signature");
        TpmAlg hash = body.alg("hash");
        if (!hash.isHash()) {
            throw body.error("hash", "must be a hash algorithm");
        }
        return switch (sigAlg) {
            case ECDSA -> new TpmtSignature.Ecc(sigAlg, hash, body.hex("signatureR"), body.hex("signatureS"));
            case RSASSA, RSAPSS -> new TpmtSignature.Rsa(sigAlg, hash, body.hex("sig"));
            default -> throw json.error("sigAlg", "must be ECDSA, RSASSA or RSAPSS");
        };
    }
}
