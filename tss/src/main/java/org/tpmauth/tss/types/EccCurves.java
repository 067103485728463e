package org.tpmauth.tss.types;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/** Maps TPM_ECC_CURVE identifiers to and from the JCA's curve parameters. */
final class EccCurves {
    private EccCurves() {
    }

    /** The JCA parameters of a curve the JDK knows (the NIST curves). */
    static ECParameterSpec parameters(TpmEccCurve curve) {
        if (curve.stdName() == null) {
            throw new UnsupportedOperationException("ECC curve " + curve + " has no JCA equivalent");
        }
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec(curve.stdName()));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new UnsupportedOperationException("the JCA does not support ECC curve " + curve.stdName(), e);
        }
    }

    /** The TPM curve with exactly these domain parameters. */
    static TpmEccCurve of(ECParameterSpec spec) {
        for (TpmEccCurve curve : TpmEccCurve.values()) {
            if (curve.stdName() != null && sameCurve(spec, parameters(curve))) {
                return curve;
            }
        }
        throw new UnsupportedOperationException("the EC key's curve is none of the TPM's NIST curves (P-192 to P-521)");
    }

    private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
        return a.getCurve().equals(b.getCurve()) && a.getGenerator().equals(b.getGenerator())
                && a.getOrder().equals(b.getOrder());
    }
}
