package org.tpmauth.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.EventType;
import org.tpmauth.attestation.eventlog.LogPlayback;
import org.tpmauth.attestation.eventlog.TcgEvent;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A boot the demo plays into its TPM: a real firmware event log (Ubuntu 21.04 on Google Compute
 * Engine, shipped with the demo) whose measured events are extended into the PCRs as the firmware and
 * bootloader did. {@link #withOtherBootloader()} is the same boot with the last boot application
 * replaced: its digests change, so PCR 4 ends elsewhere and the log says which event did it.
 */
public record SimulatedBoot(String name, byte[] log, EventLog parsed) {
    /** The banks the demo's TPM extends; libtpms has both allocated. */
    private static final Set<TpmAlg> BANKS = Set.of(TpmAlg.SHA1, TpmAlg.SHA256);
    private static final String RESOURCE = "ubuntu-2104-boot.bin";

    /** The shipped real log. */
    public static SimulatedBoot ubuntu() {
        try (InputStream in = SimulatedBoot.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the demo's boot log " + RESOURCE + " is missing from the jar");
            }
            byte[] log = in.readAllBytes();
            return new SimulatedBoot("Ubuntu 21.04 (Google Compute Engine, real firmware log)", log, EventLog.parse(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Extends every measured event into {@code tpm}'s PCRs; returns the number of events. */
    public int replayInto(Tpm tpm) {
        return LogPlayback.extendInto(tpm, parsed, BANKS);
    }

    /** The last boot application measured into PCR 4 (the bootloader the firmware started). */
    public TcgEvent bootloader() {
        TcgEvent last = null;
        for (TcgEvent e : parsed.events()) {
            if (e.pcr() == 4 && e.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION) {
                last = e;
            }
        }
        if (last == null) {
            throw new IllegalStateException("the boot log measures no boot application into PCR 4");
        }
        return last;
    }

    /**
     * The same boot with another bootloader: the bootloader event's digests, in every bank, are those
     * of different bytes. The log stays well formed and consistent with the PCRs it produces.
     */
    public SimulatedBoot withOtherBootloader() {
        TcgEvent target = bootloader();
        byte[] changed = log.clone();
        // crypto-agile event: pcr u32, type u32, count u32, then per digest: algorithm u16 and the digest
        int at = (int) target.offset() + 12;
        for (int i = 0; i < target.digests().size(); i++) {
            int alg = (changed[at] & 0xff) | (changed[at + 1] & 0xff) << 8;
            TpmAlg hash = TpmAlg.byId(alg).orElseThrow(() -> new IllegalStateException("unknown digest " + alg));
            byte[] other = digest(hash, "a different bootloader".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            System.arraycopy(other, 0, changed, at + 2, other.length);
            at += 2 + other.length;
        }
        return new SimulatedBoot(name + " with a different bootloader", changed, EventLog.parse(changed));
    }

    private static byte[] digest(TpmAlg hash, byte[] data) {
        try {
            return MessageDigest.getInstance(hash.jcaDigestName()).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
