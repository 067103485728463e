package org.tpmauth.tss.keys;

import org.tpmauth.tss.commands.TpmCommand;

/**
 * How a key that no key file describes is loaded and its use authorized, e.g. a FAPI keystore key
 * below a chain of parents and under a JSON policy. {@link TpmKeys#load(org.tpmauth.tss.types.TpmtPublic,
 * KeySource)} keeps it: every command that uses the key goes through {@link #authorize}, and when the
 * TPM lost the key {@link #load} brings it back, so signers (JCA, TLS, adapters) treat it as any key.
 */
public interface KeySource {
    /** Loads the key (again) and returns its handle; a persistent key returns its persistent handle. */
    int load();

    /** Runs {@code command}, which uses the key, with the authorization its use needs. */
    <R> R authorize(TpmCommand<R> command);
}
