/**
 * The RADIUS transport of EAP (RFC 2865, RFC 3579, RFC 2869): our peer talks to a RADIUS server as
 * {@code eapol_test} does, with Message-Authenticator and response authenticator checks, and the
 * MS-MPPE keys (RFC 2548) decrypted to compare the server's MSK with ours.
 */
package org.tpmauth.eap.radius;
