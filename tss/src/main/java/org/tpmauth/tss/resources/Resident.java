package org.tpmauth.tss.resources;

import org.tpmauth.tss.types.TpmsContext;

/**
 * One transient object or session the resource manager keeps for its user: loaded in the TPM
 * under {@link #real}, or saved out as {@link #saved}, or both (an object's saved context stays
 * valid after it is loaded again, so evicting it again needs no new ContextSave).
 */
final class Resident {
    final boolean session;
    /** The TPM's handle while loaded; a session's handle never changes. */
    int real;
    boolean loaded;
    TpmsContext saved;
    /** The TPM lost it (restart): every use answers TPM_RC_HANDLE until the user flushes it. */
    boolean stale;
    /** For least-recently-used eviction. */
    long lastUse;

    Resident(boolean session, int real) {
        this.session = session;
        this.real = real;
        this.loaded = true;
    }
}
