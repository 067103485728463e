package org.tpmauth.tss.fapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A FAPI keystore path such as {@code /HS/SRK/vpn} or {@code /P_RSA2048SHA256/HS/SRK/vpn}: an optional
 * profile (the configuration's default when omitted), a hierarchy ({@code HS} storage, {@code HE}
 * endorsement, {@code HN} null, {@code LOCKOUT}) and the objects below it.
 *
 * @param profile  the profile name, e.g. P_ECCP256SHA256
 * @param segments the hierarchy and the names below it, e.g. [HS, SRK, vpn]
 */
public record FapiPath(String profile, List<String> segments) {
    public static final Set<String> HIERARCHIES = Set.of("HS", "HE", "HN", "LOCKOUT");

    public FapiPath {
        segments = List.copyOf(segments);
        if (segments.isEmpty() || !HIERARCHIES.contains(segments.get(0))) {
            throw new IllegalArgumentException("a keystore path starts with a hierarchy /HS, /HE, /HN or /LOCKOUT"
                    + " (after an optional profile such as /P_ECCP256SHA256), not " + render(profile, segments));
        }
    }

    /** Parses a path; {@code defaultProfile} applies when it names no profile. */
    public static FapiPath parse(String path, String defaultProfile) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty()) {
                continue;
            }
            if (s.equals(".") || s.equals("..") || s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("keystore path " + path + " has a bad element \"" + s + "\"");
            }
            parts.add(s);
        }
        String profile = defaultProfile;
        if (!parts.isEmpty() && parts.get(0).startsWith("P_")) {
            profile = parts.remove(0);
        }
        return new FapiPath(profile, parts);
    }

    /** The hierarchy: HS, HE, HN or LOCKOUT. */
    public String hierarchy() {
        return segments.get(0);
    }

    /** The object's own name (its last element). */
    public String name() {
        return segments.get(segments.size() - 1);
    }

    public boolean isHierarchy() {
        return segments.size() == 1;
    }

    /** Hierarchies, the SRK and the EK: the objects provisioning writes to the system keystore. */
    public boolean isSystemObject() {
        return isHierarchy() || (segments.size() == 2 && (segments.equals(List.of("HS", "SRK"))
                || segments.equals(List.of("HE", "EK"))));
    }

    public FapiPath parent() {
        if (isHierarchy()) {
            throw new IllegalArgumentException(this + " is a hierarchy and has no parent");
        }
        return new FapiPath(profile, segments.subList(0, segments.size() - 1));
    }

    public FapiPath child(String name) {
        List<String> s = new ArrayList<>(segments);
        s.add(name);
        return new FapiPath(profile, s);
    }

    /** The directory of the object relative to a keystore directory: profile/HS/SRK/name. */
    public String relative() {
        return profile + "/" + String.join("/", segments);
    }

    /** Whether this path is {@code prefix} or lies below it. */
    public boolean startsWith(FapiPath prefix) {
        return profile.equals(prefix.profile) && segments.size() >= prefix.segments.size()
                && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    /** The full path with the profile, as {@code tss2_list} prints it: /P_ECCP256SHA256/HS/SRK/name. */
    @Override
    public String toString() {
        return render(profile, segments);
    }

    private static String render(String profile, List<String> segments) {
        return "/" + profile + (segments.isEmpty() ? "" : "/" + String.join("/", segments));
    }
}
