/**
 * The TPM facade: {@link org.tpmauth.tss.Tpm} runs typed commands with sessions, retries and
 * readable errors ({@link org.tpmauth.tss.TpmRc}).
 */
package org.tpmauth.tss;
