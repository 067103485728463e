/**
 * {@code tpmauth demo --network}: a device, a switch and a server in network namespaces, the real peer programs
 * (module peers) started and stopped by PID, the device's TPM key served by this process to each of them.
 */
package org.tpmauth.demo.network;
