package org.tpmauth.eap;

import java.util.EnumSet;
import java.util.Set;

/**
 * Settings of the EAP-TLS method shared by peer and authenticator.
 *
 * @param versions the TLS versions to offer or accept
 * @param fragmentSize the largest EAP packet this side sends (like hostapd's and wpa_supplicant's
 *     {@code fragment_size}); a TLS message that does not fit travels in several fragments
 * @param maxMessageSize the largest TLS message (one flight) accepted from the other side: the bound on
 *     reassembly memory
 */
public record EapTlsConfig(Set<TlsVersion> versions, int fragmentSize, int maxMessageSize) {
    /** TLS versions of EAP-TLS. */
    public enum TlsVersion {
        TLS_1_2("1.2"), TLS_1_3("1.3");

        public final String label;

        TlsVersion(String label) {
            this.label = label;
        }

        /** "1.2" or "1.3". */
        public static TlsVersion parse(String label) {
            for (TlsVersion v : values()) {
                if (v.label.equals(label)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("TLS version is 1.2 or 1.3, not '" + label + "'");
        }
    }

    /** EAP header (5), Flags (1) and TLS Message Length (4): what a fragment carries besides TLS data. */
    static final int FRAGMENT_OVERHEAD = 10;
    public static final int DEFAULT_FRAGMENT_SIZE = 1398;
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;

    public EapTlsConfig {
        versions = Set.copyOf(versions);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("no TLS version enabled");
        }
        if (fragmentSize < 64 || fragmentSize > EapPacket.MAX_LENGTH) {
            throw new IllegalArgumentException("fragment size " + fragmentSize + " outside 64..65535");
        }
        if (maxMessageSize < 1024) {
            throw new IllegalArgumentException("maximum TLS message size " + maxMessageSize + " below 1024");
        }
    }

    /** TLS 1.2 and 1.3, 1398-byte fragments, TLS messages up to 256 KiB. */
    public static EapTlsConfig defaults() {
        return new EapTlsConfig(EnumSet.allOf(TlsVersion.class), DEFAULT_FRAGMENT_SIZE, DEFAULT_MAX_MESSAGE_SIZE);
    }

    public EapTlsConfig withVersions(Set<TlsVersion> v) {
        return new EapTlsConfig(v, fragmentSize, maxMessageSize);
    }

    public EapTlsConfig withFragmentSize(int size) {
        return new EapTlsConfig(versions, size, maxMessageSize);
    }

    public EapTlsConfig withMaxMessageSize(int size) {
        return new EapTlsConfig(versions, fragmentSize, size);
    }

    /** TLS bytes per fragment. */
    int fragmentData() {
        return fragmentSize - FRAGMENT_OVERHEAD;
    }
}
