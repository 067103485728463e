/**
 * The 802.1X helper for NetworkManager and wpa_supplicant: provisions a TPM key and its certificate
 * into the keystore that tpmauth's PKCS#11 token serves, and writes the EAP-TLS profile (an NM keyfile,
 * or a wpa_supplicant network block) whose client certificate and private key are {@code pkcs11:} URIs
 * pointing at that token.
 */
package org.tpmauth.eap.provision;
