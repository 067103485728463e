/**
 * EAP-TLS peer and authenticator with TPM keys over EAPOL and RADIUS. Built in a later issue.
 */
package org.tpmauth.eap;
