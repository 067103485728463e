package org.tpmauth.pkcs11;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The decoded p11-kit captures of ../shared/testdata/p11kit-captures (real p11-kit-client.so against a
 * real p11-kit server), copied under resources/org/tpmauth/pkcs11/captures: each frame's bytes and
 * direction, in order.
 */
final class Captures {
    static final List<String> NAMES = List.of("eapol-tls12-rsa", "eapol-tls13-ec", "eapol-tls13-rsa-pss",
            "openvpn-tls13-ec", "pkcs11tool-list-objects", "pkcs11tool-sign-ecdsa", "pkcs11tool-sign-rsa-pss",
            "pkcs11tool-wrong-pin", "proxy-eapol-tls13-ec", "proxy-openconnect-tls13-ec", "strongswan-ikev2-ec");

    private Captures() {
    }

    /** One frame as captured. */
    record Frame(boolean fromClient, String description, byte[] bytes) {
    }

    static List<Frame> frames(String name) {
        List<Frame> frames = new ArrayList<>();
        String[] lines = text(name).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!line.startsWith("[") || !line.contains(" code=")) {
                continue;
            }
            StringBuilder hex = new StringBuilder();
            int j = i + 2; // skip the "hex:" line
            while (j < lines.length && lines[j].matches("\\s+([0-9a-f]{2} ?)+")) {
                hex.append(lines[j].replace(" ", ""));
                j++;
            }
            // the decoded fields after the hex lines belong to the description
            StringBuilder description = new StringBuilder(line);
            for (int k = j; k < lines.length && !lines[k].isBlank(); k++) {
                description.append('\n').append(lines[k]);
            }
            frames.add(new Frame(line.startsWith("[client->server]"), description.toString(),
                    HexFormat.of().parseHex(hex)));
            i = j - 1;
        }
        return frames;
    }

    private static String text(String name) {
        try (InputStream in = Captures.class.getResourceAsStream("captures/" + name + ".txt")) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
