package org.tpmauth.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;

/** PKCS#10 certificate requests signed inside the TPM. */
public final class TpmCsr {
    private TpmCsr() {
    }

    /**
     * A CSR for {@code key} with {@code subject} ("CN=device,O=Example") and optional subject alternative
     * names, signed with the hash that fits the key (SHA-384 for P-384, SHA-512 for P-521, else SHA-256).
     */
    public static PKCS10CertificationRequest create(TpmKeys keys, TpmKey key, String subject, List<GeneralName> sans) {
        try {
            var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.publicKey());
            if (!sans.isEmpty()) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            return builder.build(new TpmContentSigner(keys, key, hashFor(key)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The signature hash that fits a key: SHA-384 for P-384, SHA-512 for P-521, else SHA-256. */
    public static TpmAlg hashFor(TpmKey key) {
        if (key.publicKey() instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 384 ? TpmAlg.SHA512 : bits > 256 ? TpmAlg.SHA384 : TpmAlg.SHA256;
        }
        return TpmAlg.SHA256;
    }

    /**
     * Parses subject alternative names: "dns:host.example,ip:192.0.2.1,email:a@b.example,uri:https://x".
     */
    public static List<GeneralName> parseSans(String text) {
        List<GeneralName> names = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return names;
        }
        for (String item : text.split(",")) {
            int colon = item.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("SAN '" + item + "' needs a type: dns:, ip:, email: or uri:");
            }
            String value = item.substring(colon + 1).trim();
            int tag = switch (item.substring(0, colon).trim().toLowerCase(Locale.ROOT)) {
                case "dns" -> GeneralName.dNSName;
                case "ip" -> GeneralName.iPAddress;
                case "email" -> GeneralName.rfc822Name;
                case "uri" -> GeneralName.uniformResourceIdentifier;
                default -> throw new IllegalArgumentException("unknown SAN type in '" + item
                        + "'; use dns:, ip:, email: or uri:");
            };
            try {
                names.add(new GeneralName(tag, value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SAN '" + item + "' is not valid: " + e.getMessage(), e);
            }
        }
        return names;
    }

    /** The CSR as a PEM "CERTIFICATE REQUEST" block. */
    public static String toPem(PKCS10CertificationRequest csr) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(csr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
