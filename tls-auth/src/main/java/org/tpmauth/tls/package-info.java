/**
 * TLS client and server authentication with TPM keys.
 *
 * <ul>
 *   <li>{@link org.tpmauth.tls.TpmProvider}: the JCA provider "TPM2" — KeyStore type TPM2
 *       ({@link org.tpmauth.tls.TpmKeyStoreParameter}: key files, persistent handles, or a keystore
 *       directory of {@code NAME.key} + {@code NAME.crt}) and signatures made in the TPM
 *       (ECDSA, PKCS#1 v1.5, PSS with salt = hash length) that accept only
 *       {@link org.tpmauth.tls.TpmPrivateKey}s.</li>
 *   <li>{@link org.tpmauth.tls.TpmKeyManager} and {@link org.tpmauth.tls.TpmSslContexts}: JSSE on
 *       BC-JSSE or SunJSSE, TLS 1.2 and 1.3, client and server side.</li>
 *   <li>{@link org.tpmauth.tls.TpmCsr} and {@link org.tpmauth.tls.TpmContentSigner}: PKCS#10 requests
 *       and certificates signed in the TPM.</li>
 *   <li>{@link org.tpmauth.tls.TpmMqtt} and {@link org.tpmauth.tls.TpmMqttClient}: Eclipse Paho MQTT v3
 *       and v5 over mutual TLS.</li>
 * </ul>
 */
package org.tpmauth.tls;
