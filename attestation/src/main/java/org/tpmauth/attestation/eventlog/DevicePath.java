package org.tpmauth.attestation.eventlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An EFI device path (UEFI spec, "Device Path Protocol") rendered in the UEFI text form for the
 * nodes that boot logs carry: PciRoot/Acpi, Pci, HD, file paths, VenMedia, Fv/FvFile, MAC; other
 * nodes as Path(type,subtype).
 */
public record DevicePath(List<String> nodes, String file) {
    public DevicePath {
        nodes = List.copyOf(nodes);
    }

    /** The whole path, e.g. {@code PciRoot(0x0)/Pci(0x3,0x0)/HD(1,GPT,...)/\EFI\BOOT\BOOTX64.EFI}. */
    public String text() {
        return nodes.isEmpty() ? "(no device path)" : String.join("/", nodes);
    }

    /** What boot policies name: the file path, else the last node, else "(no device path)". */
    public String application() {
        if (file != null) {
            return file;
        }
        return nodes.isEmpty() ? "(no device path)" : nodes.get(nodes.size() - 1);
    }

    static DevicePath parse(byte[] raw) {
        LeBytes in = new LeBytes(raw);
        List<String> nodes = new ArrayList<>();
        StringBuilder file = null;
        while (in.remaining() >= 4) {
            int type = in.u8();
            int subtype = in.u8();
            int length = in.u16();
            if (length < 4 || length - 4 > in.remaining()) {
                nodes.add("<malformed node>");
                break;
            }
            byte[] body = in.bytes(length - 4);
            if (type == 0x7f) {
                if (subtype == 0xff) {
                    break;
                }
                continue; // end of one instance
            }
            if (type == 4 && subtype == 4) {
                String path = utf16(body);
                // several file-path nodes join with '/', as UEFI's device-path-to-text does
                file = file == null ? new StringBuilder(path) : file.append('/').append(path);
                nodes.add(path);
            } else {
                nodes.add(node(type, subtype, new LeBytes(body)));
            }
        }
        return new DevicePath(nodes, file == null ? null : file.toString());
    }

    private static String node(int type, int subtype, LeBytes b) {
        try {
            if (type == 2 && subtype == 1) {
                int hid = b.u32();
                int uid = b.u32();
                return (hid == 0x0a0341d0 || hid == 0x0a0841d0) ? String.format("PciRoot(0x%x)", uid)
                        : String.format("Acpi(0x%08x,0x%x)", hid, uid);
            }
            if (type == 1 && subtype == 1) {
                int function = b.u8();
                int device = b.u8();
                return String.format("Pci(0x%x,0x%x)", device, function);
            }
            if (type == 4 && subtype == 1) {
                int partition = b.u32();
                b.u64();
                b.u64();
                byte[] signature = b.bytes(16);
                b.u8();
                int sigType = b.u8();
                String sig = sigType == 2 ? Guid.read(new LeBytes(signature)) : HexFormat.of().formatHex(signature, 0, 4);
                return "HD(" + partition + "," + (sigType == 2 ? "GPT" : "MBR") + "," + sig + ")";
            }
            if (type == 4 && subtype == 3) {
                return "VenMedia(" + Guid.read(b) + ")";
            }
            if (type == 4 && subtype == 6) {
                return "FvFile(" + Guid.read(b) + ")";
            }
            if (type == 4 && subtype == 7) {
                return "Fv(" + Guid.read(b) + ")";
            }
            if (type == 3 && subtype == 11) {
                return "MAC(" + HexFormat.of().formatHex(b.bytes(6)) + ")";
            }
        } catch (LeBytes.Truncated e) {
            return String.format("Path(%d,%d,<truncated>)", type, subtype);
        }
        return String.format("Path(%d,%d)", type, subtype);
    }

    /** UTF-16LE text without its terminating NUL. */
    static String utf16(byte[] b) {
        String s = new String(b, 0, b.length & ~1, StandardCharsets.UTF_16LE);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }
}
