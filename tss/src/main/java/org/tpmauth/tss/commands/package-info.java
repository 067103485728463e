/**
 * TPM 2.0 commands (Part 3): one record per command, holding its handles and parameters, and one
 * record per response. {@code tpm.execute(new Sign(key, digest, scheme, ticket))} returns a
 * {@code Sign.Response}.
 */
package org.tpmauth.tss.commands;
