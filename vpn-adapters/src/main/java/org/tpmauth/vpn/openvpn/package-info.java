/**
 * An OpenVPN external-key backend: OpenVPN ({@code --management-external-key}, {@code
 * --management-external-cert}) asks its management client for the certificate and for every TLS signature,
 * and {@link org.tpmauth.vpn.openvpn.OpenVpnBackend} answers them with a TPM key through
 * {@link org.tpmauth.tls.TpmSigner}. The protocol is OpenVPN's doc/management-notes.txt, version 3.
 */
package org.tpmauth.vpn.openvpn;
