package org.tpmauth.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.transport.LibtpmsTcti;
import org.tpmauth.tss.types.TpmHandles;

/**
 * One machine of the demo: its own in-process TPM (libtpms, state in its own directory), started and
 * stopped like a machine's power. The process holds one libtpms engine at a time, so machines take
 * turns; their key files are kept between turns, as on a disk.
 */
final class SimulatedMachine implements AutoCloseable {
    private final String name;
    private final Path dir;
    private long signaturesBefore;
    private SignatureCounter counter;
    private Tpm tpm;
    private TpmKeys keys;
    private Tss2KeyFile akFile;
    private Tss2KeyFile keyFile;
    private TpmKey ak;
    private TpmKey key;
    private boolean halted;

    SimulatedMachine(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    String name() {
        return name;
    }

    /** Powers the TPM on (TPM2_Startup: the PCRs start from zero). */
    synchronized void powerOn() throws java.io.IOException {
        if (halted) {
            throw new IllegalStateException(name + " was stopped");
        }
        Files.createDirectories(dir);
        counter = new SignatureCounter(LibtpmsTcti.open(dir.resolve("tpm")));
        tpm = new Tpm(counter, true);
        keys = new TpmKeys(tpm);
    }

    /** Measures {@code boot} into the PCRs, as firmware and bootloader do; returns the number of events. */
    int boot(SimulatedBoot boot) {
        return boot.replayInto(tpm);
    }

    /** What the factory does once: the EK and its certificate, issued by {@code manufacturer} into NV. */
    X509Certificate manufacture(ThrowawayCa manufacturer) {
        return manufacturer.provisionEk(tpm);
    }

    /** The attestation key, created on first use and kept as a key file; loaded once per power cycle. */
    TpmKey attestationKey() {
        if (akFile == null) {
            akFile = AttestationKeys.create(tpm, KeyAlgorithm.EC_P256);
        }
        if (ak == null) {
            ak = keys.load(akFile, null);
        }
        return ak;
    }

    /** The machine's network key (ECDSA P-256), created on first use and kept as a key file. */
    TpmKey machineKey() {
        if (keyFile == null) {
            keyFile = keys.create(KeyAlgorithm.EC_P256, new byte[0], TpmHandles.RH_OWNER);
        }
        if (key == null) {
            key = keys.load(keyFile, new byte[0]);
        }
        return key;
    }

    /** The network key's file (TSS2 PRIVATE KEY), once created. */
    Tss2KeyFile networkKeyFile() {
        return keyFile;
    }

    Tpm tpm() {
        return tpm;
    }

    TpmKeys keys() {
        return keys;
    }

    /** TPM signatures (Sign, Quote, Certify) since the last call. */
    long takeSignatures() {
        long now = counter == null ? signaturesBefore : counter.signatures();
        long n = now - signaturesBefore;
        signaturesBefore = now;
        return n;
    }

    /** Powers off for good: a later {@link #powerOn} fails. Returns when the TPM's state is saved. */
    synchronized void halt() {
        halted = true;
        close();
    }

    /** Powers the TPM off (TPM2_Shutdown); key files stay, loaded keys go. */
    @Override
    public synchronized void close() {
        if (tpm == null) {
            return;
        }
        ak = null;
        key = null;
        keys.close();
        tpm.close();
        tpm = null;
        counter = null;
        signaturesBefore = 0;
    }
}
