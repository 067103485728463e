package org.tpmauth.vpn.strongswan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A CHILD_SA of the client: its name and the remote traffic selectors (subnets behind the gateway). */
public record ChildSa(String name, List<String> remoteTs) {
    /** The child used when none is given: everything through the tunnel. */
    public static final ChildSa DEFAULT = new ChildSa("tpmauth", List.of("0.0.0.0/0", "::/0"));

    public ChildSa {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("child name '" + name + "' may hold only letters, digits, '-' and '_'");
        }
        for (String ts : remoteTs) {
            if (!ts.matches("[0-9A-Fa-f.:/\\[\\]-]+|dynamic")) {
                throw new IllegalArgumentException("'" + ts + "' is not a traffic selector; write a subnet such as "
                        + "10.1.0.0/16 or fd00::/64");
            }
        }
        remoteTs = List.copyOf(remoteTs);
    }

    /**
     * Parses {@code NAME=TS,NAME=TS,...}; a name given twice collects its selectors into one child, e.g.
     * {@code office=10.1.0.0/16,office=10.2.0.0/16,lab=192.168.7.0/24}.
     */
    public static List<ChildSa> parseList(String text) {
        Map<String, List<String>> children = new LinkedHashMap<>();
        for (String entry : text.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry.strip() + "' is not NAME=TS; write e.g. office=10.1.0.0/16");
            }
            children.computeIfAbsent(entry.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(entry.substring(eq + 1).strip());
        }
        return children.entrySet().stream().map(e -> new ChildSa(e.getKey(), e.getValue())).toList();
    }
}
