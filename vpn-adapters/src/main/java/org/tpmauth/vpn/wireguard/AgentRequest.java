package org.tpmauth.vpn.wireguard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One request to the WireGuard agent ({@link WireGuardAgent}), a single text line so that a shell can send it
 * with no JVM: {@code up IFACE SEALED_PATH [POLICY_SIGNATURE_PATH ...]}. Words are separated by spaces; paths
 * are absolute (the agent runs elsewhere than its client) and printable ASCII without spaces.
 */
public record AgentRequest(String iface, Path sealed, List<Path> policySignatures) {
    /** The longest request line accepted, newline excluded. */
    public static final int MAX_LINE = 4096;
    public static final String USAGE = "up IFACE SEALED_PATH [POLICY_SIGNATURE_PATH ...]";
    /** Interface names as wg-quick accepts them (and the kernel's 15-character limit). */
    private static final Pattern IFACE = Pattern.compile("[a-zA-Z0-9_=+.-]{1,15}");
    private static final Pattern PATH = Pattern.compile("/[!-~]*");

    public AgentRequest {
        if (!IFACE.matcher(iface).matches()) {
            throw new IllegalArgumentException("bad interface name '" + printable(iface) + "': 1-15 of a-z A-Z 0-9 _ = + . -");
        }
        checkPath(sealed.toString());
        policySignatures.forEach(p -> checkPath(p.toString()));
        policySignatures = List.copyOf(policySignatures);
    }

    /** Parses a request line (without its newline); a malformed one gets a message that says what is expected. */
    public static AgentRequest parse(String line) {
        if (line.length() > MAX_LINE) {
            throw new IllegalArgumentException("the request is longer than " + MAX_LINE + " bytes");
        }
        if (!line.chars().allMatch(c -> c >= ' ' && c <= '~')) {
            throw new IllegalArgumentException("the request holds a control or non-ASCII character; expected: " + USAGE);
        }
        List<String> words = Arrays.stream(line.strip().split(" +")).toList();
        if (!words.get(0).equals("up")) {
            throw new IllegalArgumentException("unknown request '" + printable(words.get(0)) + "'; expected: " + USAGE);
        }
        if (words.size() < 3) {
            throw new IllegalArgumentException("up needs an interface and a sealed key file; expected: " + USAGE);
        }
        List<Path> signatures = new ArrayList<>();
        for (String word : words.subList(3, words.size())) {
            signatures.add(path(word));
        }
        return new AgentRequest(words.get(1), path(words.get(2)), signatures);
    }

    /** The line that {@link #parse} reads back into this request. */
    public String toLine() {
        StringBuilder line = new StringBuilder("up ").append(iface).append(' ').append(sealed);
        policySignatures.forEach(p -> line.append(' ').append(p));
        return line.toString();
    }

    private static Path path(String word) {
        checkPath(word);
        return Path.of(word);
    }

    private static void checkPath(String path) {
        if (!PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("'" + printable(path) + "' is not an absolute path of printable ASCII "
                    + "without spaces; the agent needs them (it does not run in the client's directory, and a request "
                    + "is one line)");
        }
    }

    /** A word as it may appear in a message: bounded and printable. */
    private static String printable(String word) {
        String clipped = word.length() > 64 ? word.substring(0, 64) + "..." : word;
        return clipped.replaceAll("[^ -~]", "?");
    }
}
