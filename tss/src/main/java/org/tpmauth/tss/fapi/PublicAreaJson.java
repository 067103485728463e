package org.tpmauth.tss.fapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKdfScheme;
import org.tpmauth.tss.types.TpmtKeyedHashScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2B_PUBLIC / TPMT_PUBLIC in the JSON form tpm2-tss FAPI writes into object.json
 * ({@code {"size":86,"publicArea":{"type":"ECC","nameAlg":"SHA256","objectAttributes":{...}, ...}}}),
 * for RSA, ECC and KEYEDHASH objects, and TPMT_SIG_SCHEME ({@code {"scheme":"ECDSA","details":{"hashAlg":"SHA256"}}}).
 */
public final class PublicAreaJson {
    private static final HexFormat HEX = HexFormat.of();

    /** TPMA_OBJECT bits by the names FAPI writes, in its order. */
    private static final Map<String, Integer> ATTRIBUTES = new LinkedHashMap<>();

    static {
        ATTRIBUTES.put("fixedTPM", TpmaObject.FIXED_TPM);
        ATTRIBUTES.put("stClear", TpmaObject.ST_CLEAR);
        ATTRIBUTES.put("fixedParent", TpmaObject.FIXED_PARENT);
        ATTRIBUTES.put("sensitiveDataOrigin", TpmaObject.SENSITIVE_DATA_ORIGIN);
        ATTRIBUTES.put("userWithAuth", TpmaObject.USER_WITH_AUTH);
        ATTRIBUTES.put("adminWithPolicy", TpmaObject.ADMIN_WITH_POLICY);
        ATTRIBUTES.put("noDA", TpmaObject.NO_DA);
        ATTRIBUTES.put("encryptedDuplication", TpmaObject.ENCRYPTED_DUPLICATION);
        ATTRIBUTES.put("restricted", TpmaObject.RESTRICTED);
        ATTRIBUTES.put("decrypt", TpmaObject.DECRYPT);
        ATTRIBUTES.put("sign", TpmaObject.SIGN_ENCRYPT);
    }

    private PublicAreaJson() {
    }

    /** Reads a TPM2B_PUBLIC ({@code size} and {@code publicArea}); the size, if given, is only checked. */
    public static TpmtPublic readSized(JsonFields json) {
        TpmtPublic p = read(json.object("publicArea"));
        if (json.has("size") && json.u16("size") != 0 && json.u16("size") != TpmWriter.marshal(p::marshal).length) {
            throw json.error("size", "is " + json.u16("size") + " but the public area has "
                    + TpmWriter.marshal(p::marshal).length + " bytes");
        }
        return p;
    }

    /** Reads a TPMT_PUBLIC. */
    public static TpmtPublic read(JsonFields json) {
        TpmAlg type = json.alg("type");
        TpmAlg nameAlg = json.alg("nameAlg");
        int attributes = attributes(json);
        byte[] authPolicy = json.find("authPolicy").isPresent() ? json.hex("authPolicy") : new byte[0];
        JsonFields parms = json.object("parameters");
        try {
            TpmuPublicParms parameters = switch (type) {
                case RSA -> new TpmuPublicParms.Rsa(symmetric(parms), asymScheme(parms.object("scheme")),
                        parms.u16("keyBits"), parms.u32("exponent"));
                case ECC -> new TpmuPublicParms.Ecc(symmetric(parms), asymScheme(parms.object("scheme")),
                        curve(parms), kdf(parms.object("kdf")));
                case KEYEDHASH -> new TpmuPublicParms.KeyedHash(keyedHashScheme(parms.object("scheme")));
                default -> throw json.error("type", "objects of type " + type + " are not supported; RSA, ECC "
                        + "or KEYEDHASH");
            };
            TpmuPublicId unique = switch (type) {
                case RSA -> new TpmuPublicId.Rsa(json.hex("unique"));
                case ECC -> new TpmuPublicId.Ecc(new TpmsEccPoint(json.object("unique").hex("x"),
                        json.object("unique").hex("y")));
                default -> new TpmuPublicId.Digest(json.hex("unique"));
            };
            return new TpmtPublic(nameAlg, attributes, authPolicy, parameters, unique);
        } catch (IllegalArgumentException e) {
            throw new FapiFormatException(json.at("parameters"), e.getMessage());
        }
    }

    private static int attributes(JsonFields json) {
        var v = json.required("objectAttributes");
        if (!v.isObject()) {
            return json.u32("objectAttributes");
        }
        return json.object("objectAttributes").flags(ATTRIBUTES);
    }

    private static TpmtSymDefObject symmetric(JsonFields parms) {
        JsonFields sym = parms.object("symmetric");
        TpmAlg alg = sym.alg("algorithm");
        return alg == TpmAlg.NULL ? TpmtSymDefObject.NULL
                : new TpmtSymDefObject.Cipher(alg, sym.u16("keyBits"), sym.alg("mode"));
    }

    /** A curve ("NIST_P256", "TPM2_ECC_NIST_P256") from the field {@code curveID}. */
    static TpmEccCurve curve(JsonFields parms) {
        String name = parms.constant("curveID", "TPM2_ECC_", "TPM_ECC_");
        for (TpmEccCurve c : TpmEccCurve.values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw parms.error("curveID", "unknown curve \"" + JsonFields.abbreviate(name) + "\"");
    }

    /** The hash of a scheme's {@code details}, NULL without details. */
    private static TpmAlg detailHash(JsonFields scheme) {
        return scheme.optionalObject("details").map(d -> d.alg("hashAlg")).orElse(TpmAlg.NULL);
    }

    private static TpmtAsymScheme asymScheme(JsonFields scheme) {
        TpmtSigScheme s = readSigScheme(scheme); // the same JSON shape
        return s.scheme() == TpmAlg.NULL ? TpmtAsymScheme.NULL : new TpmtAsymScheme(s.scheme(), s.hash(), s.count());
    }

    private static TpmtKdfScheme kdf(JsonFields kdf) {
        TpmAlg alg = kdf.alg("scheme");
        return alg == TpmAlg.NULL ? TpmtKdfScheme.NULL : TpmtKdfScheme.of(alg, detailHash(kdf));
    }

    private static TpmtKeyedHashScheme keyedHashScheme(JsonFields scheme) {
        TpmAlg alg = scheme.alg("scheme");
        return switch (alg) {
            case NULL -> TpmtKeyedHashScheme.NULL;
            case HMAC -> TpmtKeyedHashScheme.hmac(detailHash(scheme));
            case XOR -> TpmtKeyedHashScheme.xor(detailHash(scheme), scheme.object("details").alg("kdf"));
            default -> throw scheme.error("scheme", "must be NULL, HMAC or XOR for a KEYEDHASH object");
        };
    }

    /** Reads a TPMT_SIG_SCHEME. */
    public static TpmtSigScheme readSigScheme(JsonFields scheme) {
        TpmAlg alg = scheme.alg("scheme");
        if (alg == TpmAlg.NULL) {
            return TpmtSigScheme.NULL;
        }
        int count = alg == TpmAlg.ECDAA ? scheme.object("details").u16("count") : 0;
        return new TpmtSigScheme(alg, detailHash(scheme), count);
    }

    /** Writes a TPM2B_PUBLIC as FAPI does. */
    public static ObjectNode writeSized(TpmtPublic p) {
        ObjectNode sized = FapiJson.object();
        sized.put("size", TpmWriter.marshal(p::marshal).length);
        sized.set("publicArea", write(p));
        return sized;
    }

    /** Writes a TPMT_PUBLIC as FAPI does. */
    public static ObjectNode write(TpmtPublic p) {
        ObjectNode area = FapiJson.object();
        area.put("type", p.type().name());
        area.put("nameAlg", p.nameAlg().name());
        ObjectNode bits = area.putObject("objectAttributes");
        ATTRIBUTES.forEach((name, bit) -> bits.put(name, TpmaObject.has(p.objectAttributes(), bit) ? 1 : 0));
        area.put("authPolicy", HEX.formatHex(p.authPolicy()));
        ObjectNode parms = area.putObject("parameters");
        if (p.parameters() instanceof TpmuPublicParms.Rsa rsa) {
            parms.set("symmetric", symmetric(rsa.symmetric()));
            parms.set("scheme", scheme(rsa.scheme().scheme(), rsa.scheme().hash(), rsa.scheme().count()));
            parms.put("keyBits", rsa.keyBits());
            if (rsa.exponent() >= 0) {
                parms.put("exponent", rsa.exponent());
            } else {
                parms.put("exponent", Integer.toUnsignedLong(rsa.exponent()));
            }
        } else if (p.parameters() instanceof TpmuPublicParms.Ecc ecc) {
            parms.set("symmetric", symmetric(ecc.symmetric()));
            parms.set("scheme", scheme(ecc.scheme().scheme(), ecc.scheme().hash(), ecc.scheme().count()));
            parms.put("curveID", ecc.curveId().name());
            parms.set("kdf", scheme(ecc.kdf().scheme(), ecc.kdf().hash(), 0));
        } else if (p.parameters() instanceof TpmuPublicParms.KeyedHash kh) {
            ObjectNode s = scheme(kh.scheme().scheme(), kh.scheme().hash(), 0);
            if (kh.scheme().scheme() == TpmAlg.XOR) {
                ((ObjectNode) s.get("details")).put("kdf", kh.scheme().kdf().name());
            }
            parms.set("scheme", s);
        } else {
            throw new IllegalArgumentException("SYMCIPHER objects are not written to a FAPI keystore");
        }
        if (p.unique() instanceof TpmuPublicId.Rsa rsa) {
            area.put("unique", HEX.formatHex(rsa.modulus()));
        } else if (p.unique() instanceof TpmuPublicId.Ecc ecc) {
            ObjectNode point = area.putObject("unique");
            point.put("x", HEX.formatHex(ecc.point().x()));
            point.put("y", HEX.formatHex(ecc.point().y()));
        } else if (p.unique() instanceof TpmuPublicId.Digest d) {
            area.put("unique", HEX.formatHex(d.digest()));
        }
        return area;
    }

    /** Writes a TPMT_SIG_SCHEME. */
    public static ObjectNode writeSigScheme(TpmtSigScheme s) {
        return scheme(s.scheme(), s.hash(), s.count());
    }

    private static ObjectNode symmetric(TpmtSymDefObject sym) {
        ObjectNode o = FapiJson.object();
        o.put("algorithm", sym.algorithm().name());
        if (sym instanceof TpmtSymDefObject.Cipher c) {
            o.put("keyBits", c.keyBits());
            o.put("mode", c.mode().name());
        }
        return o;
    }

    private static ObjectNode scheme(TpmAlg scheme, TpmAlg hash, int count) {
        ObjectNode o = FapiJson.object();
        o.put("scheme", scheme.name());
        if (scheme != TpmAlg.NULL) {
            ObjectNode details = o.putObject("details");
            details.put("hashAlg", hash.name());
            if (scheme == TpmAlg.ECDAA) {
                details.put("count", count);
            }
        }
        return o;
    }
}
