package org.tpmauth.tss.fapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A FAPI keystore path such as {@code /HS/SRK/vpn} or {@code /P_RSA2048SHA256/HS/SRK/vpn}: an optional
 * profile (the configuration's default when omitted), a hierarchy ({@code HS} storage, {@code HE}
 * endorsement, {@code HN} null, {@code LOCKOUT}) and the objects below it. NV indices
 * ({@code /nv/Owner/name}), external public keys ({@code /ext/name}) and policies ({@code /policy/name})
 * belong to no profile; their profile is empty.
 *
 * @param profile  the profile name, e.g. P_ECCP256SHA256; empty for /nv, /ext and /policy paths
 * @param segments the hierarchy and the names below it, e.g. [HS, SRK, vpn], or [nv, Owner, name]
 */
public record FapiPath(String profile, List<String> segments) {
    public static final Set<String> HIERARCHIES = Set.of("HS", "HE", "HN", "LOCKOUT");
    /** The roots of objects outside the profiles, as FAPI names them. */
    private static final java.util.Map<String, Integer> HIERARCHY_HANDLES = java.util.Map.of(
            "HS", org.tpmauth.tss.types.TpmHandles.RH_OWNER, "HE", org.tpmauth.tss.types.TpmHandles.RH_ENDORSEMENT,
            "HN", org.tpmauth.tss.types.TpmHandles.RH_NULL, "LOCKOUT", org.tpmauth.tss.types.TpmHandles.RH_LOCKOUT);
    public static final String NV = "nv";
    public static final String EXT = "ext";
    public static final String POLICY = "policy";
    private static final Set<String> PROFILELESS = Set.of(NV, EXT, POLICY);

    public FapiPath {
        segments = List.copyOf(segments);
        boolean profileless = !segments.isEmpty() && PROFILELESS.contains(segments.get(0));
        if (profileless && (!profile.isEmpty() || segments.size() < 2)) {
            throw new IllegalArgumentException("/" + segments.get(0) + " paths name no profile and have a name, e.g. "
                    + "/nv/Owner/name, /ext/name, /policy/name; not " + render(profile, segments));
        }
        if (!profileless && (segments.isEmpty() || !HIERARCHIES.contains(segments.get(0)))) {
            throw new IllegalArgumentException("a keystore path starts with a hierarchy /HS, /HE, /HN or /LOCKOUT"
                    + " (after an optional profile such as /P_ECCP256SHA256), or with /nv, /ext or /policy, not "
                    + render(profile, segments));
        }
        if (profileless && segments.get(0).equals(NV) && segments.size() != 3) {
            throw new IllegalArgumentException("an NV path has three elements, /nv/<range>/<name> (e.g. /nv/Owner/"
                    + "counter), not " + render(profile, segments));
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
        } else if (!parts.isEmpty() && PROFILELESS.contains(parts.get(0))) {
            profile = "";
        }
        return new FapiPath(profile, parts);
    }

    /** The hierarchy: HS, HE, HN or LOCKOUT. */
    public String hierarchy() {
        return segments.get(0);
    }

    /** The TPM handle of a hierarchy (HS: TPM_RH_OWNER, HE: TPM_RH_ENDORSEMENT, HN: TPM_RH_NULL, LOCKOUT). */
    public static int hierarchyHandle(String hierarchy) {
        Integer handle = HIERARCHY_HANDLES.get(hierarchy);
        if (handle == null) {
            throw new IllegalArgumentException(hierarchy + " is no hierarchy; one of " + HIERARCHIES);
        }
        return handle;
    }

    /** The hierarchy (HS, HE, HN, LOCKOUT) whose handle is {@code handle}, if any. */
    public static java.util.Optional<String> hierarchyOf(int handle) {
        return HIERARCHY_HANDLES.entrySet().stream().filter(e -> e.getValue() == handle).map(java.util.Map.Entry::getKey)
                .findFirst();
    }

    /** The object's own name (its last element). */
    public String name() {
        return segments.get(segments.size() - 1);
    }

    public boolean isHierarchy() {
        return segments.size() == 1;
    }

    /** Whether this names an NV index: /nv/<range>/<name>. */
    public boolean isNv() {
        return segments.get(0).equals(NV);
    }

    /** Whether this names an external public key: /ext/... */
    public boolean isExt() {
        return segments.get(0).equals(EXT);
    }

    /** Whether this names a policy: /policy/... */
    public boolean isPolicy() {
        return segments.get(0).equals(POLICY);
    }

    /** Hierarchies, the SRK and the EK: the objects provisioning writes to the system keystore. */
    public boolean isSystemObject() {
        return isHierarchy() || (segments.size() == 2 && (segments.equals(List.of("HS", "SRK"))
                || segments.equals(List.of("HE", "EK"))));
    }

    public FapiPath parent() {
        if (isHierarchy() || profile.isEmpty()) {
            throw new IllegalArgumentException(this + " has no parent");
        }
        return new FapiPath(profile, segments.subList(0, segments.size() - 1));
    }

    public FapiPath child(String name) {
        List<String> s = new ArrayList<>(segments);
        s.add(name);
        return new FapiPath(profile, s);
    }

    /** The directory of the object relative to a keystore directory: profile/HS/SRK/name, or nv/Owner/name. */
    public String relative() {
        return (profile.isEmpty() ? "" : profile + "/") + String.join("/", segments);
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
        return (profile.isEmpty() ? "" : "/" + profile) + (segments.isEmpty() ? "" : "/" + String.join("/", segments));
    }
}
