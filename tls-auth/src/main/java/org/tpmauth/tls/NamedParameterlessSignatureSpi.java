package org.tpmauth.tls;

import java.security.InvalidParameterException;
import java.security.SignatureSpi;

/** A SignatureSpi without the deprecated string-named parameters (this package's signatures take specs only). */
abstract class NamedParameterlessSignatureSpi extends SignatureSpi {
    @Override
    @Deprecated
    protected final void engineSetParameter(String param, Object value) {
        throw new InvalidParameterException("no such parameter: " + param);
    }

    @Override
    @Deprecated
    protected final Object engineGetParameter(String param) {
        throw new InvalidParameterException("no such parameter: " + param);
    }
}
