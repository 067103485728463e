package org.tpmauth.attestation.eventlog;

import java.util.ArrayList;
import java.util.List;
import org.tpmauth.attestation.eventlog.EventData.SignatureEntry;

/**
 * What a boot log says about the machine, reduced as keylime, go-attestation and go-tpm-tools reduce
 * it: Secure Boot state and key databases, firmware identity (S-CRTM version), the boot applications
 * in order, and the kernel command lines. Derived from untrusted event data: use it only for a log
 * whose replay matched quoted PCRs.
 *
 * @param secureBoot  the SecureBoot variable, null when the log does not measure it
 */
public record BootFacts(Boolean secureBoot, List<SignatureEntry> pk, List<SignatureEntry> kek, List<SignatureEntry> db,
        List<SignatureEntry> dbx, List<String> scrtmVersions, List<BootApp> bootApps, List<KernelCmdline> kernelCmdlines,
        List<Integer> separatorErrors) {
    /** A boot application: the event, its path and the digest the log extended (Authenticode hash for PE images). */
    public record BootApp(int event, String path, String sha256) {
    }

    /** A kernel command line, with the PCR and the convention it was found by. */
    public record KernelCmdline(int event, int pcr, String source, String value) {
    }

    public static final String GRUB_204 = "grub >= 2.04 'kernel_cmdline: '";
    public static final String GRUB_RED_HAT = "grub 2.02 (Red Hat) 'grub_kernel_cmdline '";
    public static final String SYSTEMD = "systemd-boot/stub LoadOptions (UTF-16LE)";

    private static final java.util.Set<Integer> RELEVANT = java.util.Set.of(EventType.EV_EFI_VARIABLE_DRIVER_CONFIG,
            EventType.EV_S_CRTM_VERSION, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, EventType.EV_IPL,
            EventType.EV_SEPARATOR);

    public static BootFacts of(List<TcgEvent> events) {
        Boolean secureBoot = null;
        // each variable's entries are read only when a rule iterates that far (a dbx holds hundreds)
        List<List<SignatureEntry>> pk = new ArrayList<>();
        List<List<SignatureEntry>> kek = new ArrayList<>();
        List<List<SignatureEntry>> db = new ArrayList<>();
        List<List<SignatureEntry>> dbx = new ArrayList<>();
        List<String> scrtm = new ArrayList<>();
        List<BootApp> apps = new ArrayList<>();
        List<KernelCmdline> cmdlines = new ArrayList<>();
        List<Integer> separatorErrors = new ArrayList<>();
        for (TcgEvent e : events) {
            if (!RELEVANT.contains(e.type())) {
                continue; // parsing data nobody asks about costs more than the replay
            }
            EventData data = EventData.ofEvent(e);
            if (e.type() == EventType.EV_EFI_VARIABLE_DRIVER_CONFIG && data instanceof EventData.EfiVariable v) {
                switch (v.name()) {
                    case "SecureBoot" -> secureBoot = v.secureBootEnabled();
                    case "PK" -> pk.add(v.signatures());
                    case "KEK" -> kek.add(v.signatures());
                    case "db" -> db.add(v.signatures());
                    case "dbx" -> dbx.add(v.signatures());
                    default -> { }
                }
            } else if (e.type() == EventType.EV_S_CRTM_VERSION && data instanceof EventData.Text t) {
                scrtm.add(t.text());
            } else if (e.type() == EventType.EV_EFI_BOOT_SERVICES_APPLICATION && data instanceof EventData.ImageLoad img) {
                byte[] d = e.digests().get(org.tpmauth.tss.types.TpmAlg.SHA256);
                apps.add(new BootApp(e.index(), img.devicePath().application(),
                        d == null ? null : java.util.HexFormat.of().formatHex(d)));
            } else if (e.type() == EventType.EV_IPL && data instanceof EventData.Text t) {
                kernelCmdline(e, t.text(), cmdlines);
            } else if (e.type() == EventType.EV_SEPARATOR && data instanceof EventData.Separator s && s.error()) {
                separatorErrors.add(e.index());
            }
        }
        return new BootFacts(secureBoot, SignatureEntries.concat(pk), SignatureEntries.concat(kek),
                SignatureEntries.concat(db), SignatureEntries.concat(dbx),
                List.copyOf(scrtm), List.copyOf(apps), List.copyOf(cmdlines), List.copyOf(separatorErrors));
    }

    private static void kernelCmdline(TcgEvent e, String text, List<KernelCmdline> out) {
        if (e.pcr() == 8 && text.startsWith("kernel_cmdline: ")) {
            out.add(new KernelCmdline(e.index(), 8, GRUB_204, text.substring("kernel_cmdline: ".length())));
        } else if (e.pcr() == 8 && text.startsWith("grub_kernel_cmdline ")) {
            out.add(new KernelCmdline(e.index(), 8, GRUB_RED_HAT, text.substring("grub_kernel_cmdline ".length())));
        } else if (e.pcr() == 12) {
            out.add(new KernelCmdline(e.index(), 12, SYSTEMD, text));
        }
    }
}
