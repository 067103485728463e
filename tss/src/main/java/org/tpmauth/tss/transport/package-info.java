/**
 * TPM transports (TCTI): swtpm, the reference simulator, TPM devices and the in-process libtpms
 * engine, chosen by a tpm2-tss style config string ({@link org.tpmauth.tss.transport.TctiConfig}).
 */
package org.tpmauth.tss.transport;
