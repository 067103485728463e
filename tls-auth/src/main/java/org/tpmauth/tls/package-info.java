/**
 * TLS client authentication with TPM keys. Now: {@link org.tpmauth.tls.TpmContentSigner}, CSRs and
 * certificates signed inside the TPM. The TPM2 JCA provider, JSSE key managers and MQTT client auth
 * come with their issue.
 */
package org.tpmauth.tls;
