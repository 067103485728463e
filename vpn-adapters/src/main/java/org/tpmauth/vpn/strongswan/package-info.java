/**
 * strongSwan (IKEv2, certificate authentication) with TPM keys: {@link org.tpmauth.vpn.strongswan.SwanctlClientConfig}
 * writes a road-warrior client's swanctl directory and the charon settings that make charon sign with the TPM
 * key, through the tpmauth PKCS#11 token ({@link org.tpmauth.vpn.strongswan.KeyRoute.Pkcs11}) or through
 * strongSwan's own tpm plugin and a persistent handle ({@link org.tpmauth.vpn.strongswan.KeyRoute.TpmPlugin}).
 */
package org.tpmauth.vpn.strongswan;
