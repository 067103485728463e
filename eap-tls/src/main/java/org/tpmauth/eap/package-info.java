/**
 * EAP-TLS (RFC 5216, RFC 9190 for TLS 1.3) with TPM keys: the method as state machines over bytes for
 * the peer ({@link org.tpmauth.eap.EapTlsPeer}) and the authenticator
 * ({@link org.tpmauth.eap.EapTlsAuthenticator}), the keying material ({@link org.tpmauth.eap.EapTlsKeys}),
 * and an in-memory transport joining both ({@link org.tpmauth.eap.InMemoryEap}). Transports live in
 * subpackages ({@code radius}).
 */
package org.tpmauth.eap;
