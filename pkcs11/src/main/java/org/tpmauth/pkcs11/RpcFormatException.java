package org.tpmauth.pkcs11;

/** A p11-kit RPC message that is malformed, truncated, oversized or carries the wrong signature. */
public final class RpcFormatException extends Exception {
    public RpcFormatException(String message) {
        super(message);
    }
}
