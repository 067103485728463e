package org.tpmauth.attestation;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;

/**
 * SHAxxxwithECDSA with the hash from the JDK (its SHA-256 uses the CPU's SHA instructions) and the
 * ECDSA over the digest from Bouncy Castle (faster P-256 arithmetic than SunEC's): the same signature
 * as either provider's SHAxxxwithECDSA, but a megabyte-sized message (a certificate request carrying a
 * boot log) hashes about eight times faster than through Bouncy Castle's Java SHA-256.
 */
final class PrehashedEcdsa extends Signature {
    private final MessageDigest digest;
    private final Signature ecdsa;

    /** @param hash the JCA digest name, e.g. "SHA-256" */
    PrehashedEcdsa(String algorithm, String hash, Provider ecdsaProvider) throws NoSuchAlgorithmException {
        super(algorithm);
        digest = MessageDigest.getInstance(hash);
        ecdsa = Signature.getInstance("NONEwithECDSA", ecdsaProvider);
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
        ecdsa.initVerify(publicKey);
        digest.reset();
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
        ecdsa.initSign(privateKey);
        digest.reset();
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey, SecureRandom random) throws InvalidKeyException {
        ecdsa.initSign(privateKey, random);
        digest.reset();
    }

    @Override
    protected void engineUpdate(byte b) {
        digest.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
        digest.update(b, off, len);
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        digest.update(input);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        ecdsa.update(digest.digest());
        return ecdsa.sign();
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
        ecdsa.update(digest.digest());
        return ecdsa.verify(sigBytes);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
        throw new InvalidParameterException("SHAxxxwithECDSA takes no parameters");
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
        throw new InvalidParameterException("SHAxxxwithECDSA has no parameters");
    }
}
