/**
 * The EAPOL transport (IEEE 802.1X): EAP over Ethernet frames (ethertype 0x888e, PAE group address
 * 01:80:c2:00:00:03) through an AF_PACKET raw socket reached with JNA; a wired supplicant for our peer and a
 * minimal wired authenticator for our EAP server.
 */
package org.tpmauth.eap.eapol;
