/**
 * VPN glue for TPM keys: {@link org.tpmauth.vpn.openvpn} answers OpenVPN's management-interface signature
 * requests from the TPM; {@link org.tpmauth.vpn.openconnect} runs openconnect against the right TPM.
 */
package org.tpmauth.vpn;
