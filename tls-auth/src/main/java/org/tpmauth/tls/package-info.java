/**
 * TLS client authentication with TPM keys: the TPM2 JCA provider, JSSE key managers and MQTT client auth. Built in a later issue.
 */
package org.tpmauth.tls;
