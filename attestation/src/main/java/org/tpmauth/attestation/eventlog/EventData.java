package org.tpmauth.attestation.eventlog;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed data of a boot-log event, by event type. Event data is untrusted: it means something
 * only when the event's digest was replayed into a quoted PCR, and for most types the digest is of
 * something else than the data. Data that does not parse, and unknown types, stay {@link Raw}; that is
 * never a failure.
 */
public sealed interface EventData {
    /** EV_EFI_VARIABLE_*: UEFI_VARIABLE_DATA; {@code signatures} for PK, KEK, db, dbx (EFI_SIGNATURE_LISTs). */
    record EfiVariable(String guid, String name, byte[] data, List<SignatureEntry> signatures) implements EventData {
        /** SecureBoot = 01; empty data (seen in real logs) counts as off. */
        public boolean secureBootEnabled() {
            return name.equals("SecureBoot") && data.length > 0 && data[0] == 1;
        }
    }

    /**
     * One EFI_SIGNATURE_DATA: its owner, type ("x509", "sha256" or the type GUID), the SHA-256 of the
     * certificate (its fingerprint) or the hash itself, and the certificate (x509, else null), whose
     * subject is parsed only when asked for: verifiers compare fingerprints, people read subjects.
     */
    record SignatureEntry(String owner, String type, String sha256, @JsonIgnore byte[] certificate) {
        /** The certificate's subject, null for a hash entry. */
        @JsonProperty("subject")
        public String subject() {
            if (certificate == null) {
                return null;
            }
            try {
                return ((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(certificate))).getSubjectX500Principal().getName();
            } catch (CertificateException e) {
                return "(not a parsable certificate)";
            }
        }
    }

    /** EV_EFI_BOOT_SERVICES_APPLICATION / DRIVER, EV_EFI_RUNTIME_SERVICES_DRIVER: UEFI_IMAGE_LOAD_EVENT. */
    record ImageLoad(long location, long length, long linkTimeAddress, DevicePath devicePath) implements EventData {
    }

    /** Text events: EV_IPL (GRUB commands, kernel command line), EV_EFI_ACTION, EV_ACTION, EV_S_CRTM_VERSION, EV_POST_CODE. */
    record Text(String text) implements EventData {
    }

    /** EV_SEPARATOR: 00000000 normally, 00000001 or FFFFFFFF when the firmware signals an error. */
    record Separator(long value) implements EventData {
        public boolean error() {
            return value != 0;
        }
    }

    /** EV_EFI_GPT_EVENT: the disk GUID and how many partition entries were measured. */
    record GptEvent(String diskGuid, long partitions) implements EventData {
    }

    /** EV_EFI_PLATFORM_FIRMWARE_BLOB(2): where the measured firmware volume lies; BLOB2 adds a description. */
    record FirmwareBlob(String description, long base, long length) implements EventData {
    }

    /** EV_EFI_HANDOFF_TABLES(2): the vendor GUIDs of the measured configuration tables. */
    record HandoffTables(String description, List<String> tables) implements EventData {
    }

    /** EV_NO_ACTION: the Spec ID event, StartupLocality, or another signature. */
    record NoAction(String signature, String detail) implements EventData {
    }

    /** Anything else, or data that did not parse as its type says. */
    record Raw(byte[] data, String note) implements EventData {
    }

    /** Parses an event's data by its type. */
    public static EventData ofEvent(TcgEvent e) {
        byte[] d = e.data();
        try {
            return switch (e.type()) {
                case EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, EventType.EV_EFI_VARIABLE_BOOT,
                        EventType.EV_EFI_VARIABLE_BOOT2 -> variable(d, false);
                case EventType.EV_EFI_VARIABLE_AUTHORITY -> variable(d, true);
                case EventType.EV_EFI_BOOT_SERVICES_APPLICATION, EventType.EV_EFI_BOOT_SERVICES_DRIVER,
                        EventType.EV_EFI_RUNTIME_SERVICES_DRIVER -> imageLoad(d);
                case EventType.EV_IPL -> new Text(e.pcr() == 12 ? DevicePath.utf16(d) : ascii(d));
                case EventType.EV_EFI_ACTION, EventType.EV_ACTION -> new Text(ascii(d));
                case EventType.EV_S_CRTM_VERSION -> new Text(d.length % 2 == 0 && d.length > 1 && d[1] == 0
                        ? DevicePath.utf16(d) : ascii(d));
                case EventType.EV_POST_CODE -> printable(d) ? new Text(ascii(d)) : blob(new LeBytes(d), "");
                case EventType.EV_SEPARATOR -> d.length == 4 ? new Separator(new LeBytes(d).u32() & 0xffffffffL)
                        : new Raw(d, "a separator of " + d.length + " bytes");
                case EventType.EV_EFI_GPT_EVENT -> gpt(d);
                case EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB -> blob(new LeBytes(d), "");
                case EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB2 -> {
                    LeBytes in = new LeBytes(d);
                    yield blob(in, ascii(in.bytes(in.u8())));
                }
                case EventType.EV_EFI_HANDOFF_TABLES -> handoff(new LeBytes(d), "");
                case EventType.EV_EFI_HANDOFF_TABLES2 -> {
                    LeBytes in = new LeBytes(d);
                    yield handoff(in, ascii(in.bytes(in.u8())));
                }
                case EventType.EV_NO_ACTION -> noAction(d);
                default -> new Raw(d, "");
            };
        } catch (LeBytes.Truncated | IllegalArgumentException ex) {
            return new Raw(d, "malformed " + e.typeName() + " data: " + ex.getMessage());
        }
    }

    /**
     * UEFI_VARIABLE_DATA. The data of a key database variable is a list of EFI_SIGNATURE_LISTs; that of
     * an EV_EFI_VARIABLE_AUTHORITY event is the one EFI_SIGNATURE_DATA (owner, certificate) that
     * authorized an image.
     */
    private static EventData variable(byte[] d, boolean authority) {
        LeBytes in = new LeBytes(d);
        String guid = Guid.read(in);
        long nameLength = in.u64();
        long dataLength = in.u64();
        String name = DevicePath.utf16(in.bytes(in.length(nameLength * 2, "VariableName")));
        byte[] data = in.bytes(in.length(dataLength, "VariableData"));
        boolean keyDatabase = (guid.equals(Guid.EFI_GLOBAL_VARIABLE) && (name.equals("PK") || name.equals("KEK")))
                || (guid.equals(Guid.EFI_IMAGE_SECURITY_DATABASE) && (name.equals("db") || name.equals("dbx")));
        List<SignatureEntry> signatures = authority && data.length > 16
                ? List.of(SignatureEntries.signature(new LeBytes(data), Guid.EFI_CERT_X509, data.length))
                : keyDatabase ? SignatureEntries.ofLists(data) : List.of();
        return new EfiVariable(guid, name, data, signatures);
    }

    private static EventData imageLoad(byte[] d) {
        LeBytes in = new LeBytes(d);
        long location = in.u64();
        long length = in.u64();
        long link = in.u64();
        byte[] path = in.bytes(in.length(in.u64(), "the device path"));
        return new ImageLoad(location, length, link, DevicePath.parse(path));
    }

    private static EventData gpt(byte[] d) {
        LeBytes in = new LeBytes(d);
        in.bytes(56); // EFI_PARTITION_TABLE_HEADER up to DiskGUID: signature, revision, sizes, CRC, LBAs
        String disk = Guid.read(in);
        in.bytes(92 - 56 - 16);
        return new GptEvent(disk, in.u64());
    }

    private static EventData blob(LeBytes in, String description) {
        return new FirmwareBlob(description, in.u64(), in.u64());
    }

    private static EventData handoff(LeBytes in, String description) {
        long count = in.u64();
        List<String> tables = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            tables.add(Guid.read(in));
            in.u64(); // VendorTable pointer
        }
        return new HandoffTables(description, tables);
    }

    private static EventData noAction(byte[] d) {
        int nul = 0;
        while (nul < d.length && nul < 24 && d[nul] != 0) {
            nul++;
        }
        String signature = new String(d, 0, nul, StandardCharsets.US_ASCII);
        if (signature.equals("StartupLocality") && d.length == 17) {
            return new NoAction(signature, "locality " + (d[16] & 0xff));
        }
        if (signature.equals("Spec ID Event03")) {
            SpecIdEvent s = SpecIdEvent.parse(d);
            StringBuilder algs = new StringBuilder();
            s.digestSizes().keySet().forEach(id -> algs.append(algs.length() == 0 ? "" : ", ")
                    .append(org.tpmauth.tss.types.TpmAlg.nameOf(id)));
            return new NoAction(signature, "spec " + s.specVersionMajor() + "." + s.specVersionMinor() + " errata "
                    + s.specErrata() + ", algorithms " + algs);
        }
        return new NoAction(printable(signature.getBytes(StandardCharsets.US_ASCII)) ? signature : "", "");
    }

    /** Text without its terminating NULs. */
    private static String ascii(byte[] d) {
        int end = d.length;
        while (end > 0 && d[end - 1] == 0) {
            end--;
        }
        return new String(d, 0, end, StandardCharsets.UTF_8);
    }

    private static boolean printable(byte[] d) {
        if (d.length == 0) {
            return false;
        }
        for (byte b : d) {
            if ((b < 0x20 || b > 0x7e) && b != 0 && b != '\n' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
