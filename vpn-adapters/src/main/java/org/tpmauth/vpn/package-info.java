/**
 * VPN glue: the OpenVPN external-key backend, OpenConnect, strongSwan and WireGuard. Built in a later issue.
 */
package org.tpmauth.vpn;
