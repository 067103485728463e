package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMT_SIGNATURE: the signature algorithm selects the TPMU_SIGNATURE member. */
public sealed interface TpmtSignature extends TpmMarshallable {
    /** The signature algorithm (sigAlg). */
    TpmAlg sigAlg();

    /** TPMS_SIGNATURE_RSA, for RSASSA and RSAPSS: the hash and the raw signature. */
    record Rsa(TpmAlg sigAlg, TpmAlg hash, byte[] sig) implements TpmtSignature {
        @Override
        public void marshal(TpmWriter out) {
            sigAlg.marshal(out);
            hash.marshal(out);
            out.sized(sig);
        }
    }

    /** TPMS_SIGNATURE_ECC, for ECDSA, ECDAA, SM2 and ECSCHNORR: r and s as unsigned big-endian. */
    record Ecc(TpmAlg sigAlg, TpmAlg hash, byte[] r, byte[] s) implements TpmtSignature {
        @Override
        public void marshal(TpmWriter out) {
            sigAlg.marshal(out);
            hash.marshal(out);
            out.sized(r).sized(s);
        }
    }

    /** TPMT_HA, for HMAC signatures. */
    record Hmac(TpmAlg hash, byte[] digest) implements TpmtSignature {
        @Override
        public TpmAlg sigAlg() {
            return TpmAlg.HMAC;
        }

        @Override
        public void marshal(TpmWriter out) {
            TpmAlg.HMAC.marshal(out);
            hash.marshal(out);
            out.bytes(digest);
        }
    }

    /** TPM_ALG_NULL: no signature (e.g. a quote with no signing key). */
    record Null() implements TpmtSignature {
        @Override
        public TpmAlg sigAlg() {
            return TpmAlg.NULL;
        }

        @Override
        public void marshal(TpmWriter out) {
            TpmAlg.NULL.marshal(out);
        }
    }

    static TpmtSignature read(TpmReader in) {
        return in.struct("TPMT_SIGNATURE", r -> {
            int start = r.position();
            TpmAlg alg = TpmAlg.read(r);
            return switch (alg) {
                case RSASSA, RSAPSS -> new Rsa(alg, TpmAlg.read(r), r.sized(512));
                case ECDSA, ECDAA, SM2, ECSCHNORR -> new Ecc(alg, TpmAlg.read(r), r.sized(128), r.sized(128));
                case HMAC -> {
                    TpmAlg hash = TpmAlg.read(r);
                    if (!hash.isHash()) {
                        throw r.error("TPMT_HA hash " + hash + " is not a hash algorithm");
                    }
                    yield new Hmac(hash, r.bytes(hash.digestSize()));
                }
                case NULL -> new Null();
                default -> throw new TpmFormatException("TPMT_SIGNATURE", start, "algorithm " + alg
                        + " is not a signature algorithm");
            };
        });
    }
}
