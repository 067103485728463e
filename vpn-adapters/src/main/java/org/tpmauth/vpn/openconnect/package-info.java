/**
 * openconnect with TPM keys: it reads TSS2 PRIVATE KEY files itself (through tpm2-tss), but has no option
 * to say which TPM; {@link org.tpmauth.vpn.openconnect.OpenConnectTpm} makes the TPM that tpmauth uses
 * the one openconnect finds, and {@link org.tpmauth.vpn.openconnect.OpenConnect} runs it.
 */
package org.tpmauth.vpn.openconnect;
