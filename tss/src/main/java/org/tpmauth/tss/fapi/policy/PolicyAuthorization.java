package org.tpmauth.tss.fapi.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import org.tpmauth.tss.fapi.FapiJson;
import org.tpmauth.tss.fapi.JsonFields;
import org.tpmauth.tss.fapi.PublicAreaJson;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuPublicParms;

/**
 * One entry of a policy file's {@code policyAuthorizations}, as {@code tss2_authorizepolicy} writes it:
 * the signer's public area ({@code key}), the {@code policyRef} and the signature over
 * H(policyDigest || policyRef), with which a PolicyAuthorize by that key accepts the policy.
 *
 * Or FAPI's {@code "pem"} form, for a signer outside any TPM (a software key, an HSM): the signer's PEM
 * public key ({@code key}, with {@code keyPEMhashAlg} and {@code rsaScheme} as in a policy's keyPEM) and
 * the signature in its standard encoding (DER for ECDSA, the raw value for RSA) as hex.
 *
 * @param key       the signer's TPMT_PUBLIC; its Name is what a PolicyAuthorize element names
 * @param policyRef the policyRef the signature covers
 * @param signature the signature (TPMT_SIGNATURE)
 * @param keyPem    the signer's PEM public key for the "pem" form, else null
 */
public record PolicyAuthorization(TpmtPublic key, byte[] policyRef, TpmtSignature signature, String keyPem) {
    private static final HexFormat HEX = HexFormat.of();
    private static final String PEM = "pem";

    public PolicyAuthorization {
        policyRef = policyRef.clone();
    }

    /** An authorization by a key of a TPM (FAPI's "tpm" form). */
    public PolicyAuthorization(TpmtPublic key, byte[] policyRef, TpmtSignature signature) {
        this(key, policyRef, signature, null);
    }

    /**
     * An authorization by a key outside a TPM (FAPI's "pem" form): {@code signature} (DER for ECDSA, raw
     * for RSA-PSS) over {@code hashAlg}(approved policy digest || policyRef), by the key of {@code keyPem},
     * e.g. {@code SHA256withECDSA} over the digest and policyRef concatenated.
     */
    public static PolicyAuthorization pem(String keyPem, TpmAlg hashAlg, byte[] policyRef, byte[] signature) {
        com.fasterxml.jackson.databind.node.ObjectNode o = FapiJson.object();
        o.put("type", PEM);
        o.put("key", keyPem);
        o.put("keyPEMhashAlg", hashAlg.name());
        o.put("policyRef", HEX.formatHex(policyRef));
        o.put("signature", HEX.formatHex(signature));
        return read(JsonFields.of("pem policy authorization", o));
    }

    /**
     * A policy approved by a signer: the policy to run, then the authorization that turns its digest into
     * the signer's authorized-policy digest.
     *
     * @param source where the policy came from, for messages (e.g. /policy/pcr)
     */
    public record Approved(String source, JsonPolicy policy, PolicyAuthorization authorization) {
    }

    /** Reads one entry, of type "tpm" or "pem"; errors name the field. */
    static PolicyAuthorization read(JsonFields json) {
        byte[] policyRef = json.optionalHex("policyRef").orElse(new byte[0]);
        if (!json.optionalText("type").orElse("tpm").equalsIgnoreCase(PEM)) {
            return new PolicyAuthorization(PublicAreaJson.read(json.object("key")), policyRef,
                    signature(json.object("signature")));
        }
        TpmtPublic key = PemKeys.read(json, "key");
        TpmAlg sigAlg = key.parameters() instanceof TpmuPublicParms.Rsa rsa ? rsa.scheme().scheme() : TpmAlg.ECDSA;
        TpmAlg hash = key.nameAlg();
        try {
            return new PolicyAuthorization(key, policyRef, SignatureEncoding.fromStandard(sigAlg, hash,
                    json.hex("signature")), json.text("key"));
        } catch (IllegalArgumentException e) {
            throw json.error("signature", e.getMessage());
        }
    }

    /** The entry as FAPI writes it: type "tpm" for a keystore key, "pem" for a PEM key. */
    public ObjectNode toJson() {
        ObjectNode o = FapiJson.object();
        if (keyPem != null) {
            o.put("type", PEM);
            o.put("key", keyPem);
            o.put("keyPEMhashAlg", key.nameAlg().name());
            if (key.parameters() instanceof TpmuPublicParms.Rsa rsa) {
                ObjectNode scheme = o.putObject("rsaScheme");
                scheme.put("scheme", rsa.scheme().scheme().name());
                scheme.putObject("details").put("hashAlg", rsa.scheme().hash().name());
            }
            o.put("policyRef", HEX.formatHex(policyRef));
            o.put("signature", HEX.formatHex(SignatureEncoding.standard(signature)));
            return o;
        }
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
