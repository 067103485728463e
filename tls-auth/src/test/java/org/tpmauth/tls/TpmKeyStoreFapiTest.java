package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.fapi.FapiConfig;
import org.tpmauth.tss.fapi.FapiKeystore;
import org.tpmauth.tss.fapi.KeyType;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyBranchCallback;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * The TPM2 KeyStore loads a FAPI keystore key by path: below a storage key with a password, under a
 * PolicyOR whose branch the keystore's callback picks, with the certificate the keystore holds.
 */
class TpmKeyStoreFapiTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final String OR_POLICY = """
            {"description": "PCR 16 at zero, or the key's auth value", "policy": [{"type": "POLICYOR", "branches": [
              {"name": "pcr", "description": "PCR 16", "policy": [{"type": "POLICYPCR", "pcrs": [
                {"pcr": 16, "hashAlg": "SHA256", "digest": "%s"}]}]},
              {"name": "password", "description": "auth value", "policy": [{"type": "POLICYAUTHVALUE"}]}]}]}
            """.formatted("00".repeat(32));

    private static FapiConfig config() throws Exception {
        Path root = SWTPM.workDir().resolve("fapi");
        Files.createDirectories(root.resolve("log"));
        Path file = Files.writeString(root.resolve("fapi-config.json"), """
                {"profile_name": "P_ECCP256SHA256", "profile_dir": "/etc/tpm2-tss/fapi-profiles/",
                 "user_dir": "%s", "system_dir": "%s", "tcti": "%s", "system_pcrs": [], "log_dir": "%s",
                 "ek_cert_less": "yes"}
                """.formatted(root.resolve("user"), root.resolve("system"), SWTPM.tcti(), root.resolve("log")));
        return FapiConfig.fromEnvironment(Map.of(FapiConfig.ENV, file.toString()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keystoreKeyByPathSignsThroughItsParentAndPolicy() throws Exception {
        TestPki pki = new TestPki("fapi test CA");
        FapiConfig config = config();
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm()); FapiKeystore fapi = new FapiKeystore(config, keys)) {
            fapi.provision();
            fapi.setAuthCallback((path, description) -> path.endsWith("/HS/SRK/store") ? utf8("spw") : new byte[0]);
            fapi.setBranchCallback(PolicyBranchCallback.byName(List.of("password")));
            fapi.createKey("/HS/SRK/store", KeyType.parse("restricted,decrypt,noDa"), utf8("spw"));
            fapi.createKey("/HS/SRK/store/tls", KeyType.parse("sign,noDa"), utf8("pw"),
                    JsonPolicy.parse(utf8(OR_POLICY), "or"));
            fapi.setCertificate("/HS/SRK/store/tls", Certificates.toPem(pki.issue(fapi.publicKey("/HS/SRK/store/tls"),
                    "device")));

            KeyStore ks = KeyStore.getInstance("TPM2", TpmProvider.install());
            ks.load(new TpmKeyStoreParameter(keys, TpmKeyStoreParameter.FapiKey.of(fapi, "/HS/SRK/store/tls")));
            assertEquals(List.of("tls"), java.util.Collections.list(ks.aliases()));
            PrivateKey key = (PrivateKey) ks.getKey("tls", "pw".toCharArray());
            for (int i = 0; i < 2; i++) {
                Signature s = Signature.getInstance("SHA256withECDSA");
                s.initSign(key);
                s.update(new byte[] {1, 2, 3});
                byte[] signature = s.sign();
                Signature v = Signature.getInstance("SHA256withECDSA");
                v.initVerify(ks.getCertificate("tls"));
                v.update(new byte[] {1, 2, 3});
                assertTrue(v.verify(signature));
            }
            PrivateKey wrong = (PrivateKey) ks.getKey("tls", "nope".toCharArray());
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(wrong);
            s.update(new byte[] {1});
            assertThrows(java.security.SignatureException.class, s::sign);

            try (TpmKeys other = new TpmKeys(SWTPM.tpm())) {
                KeyStore elsewhere = KeyStore.getInstance("TPM2", TpmProvider.install());
                assertTrue(assertThrows(IllegalArgumentException.class, () -> elsewhere.load(new TpmKeyStoreParameter(
                        other, TpmKeyStoreParameter.FapiKey.of(fapi, "/HS/SRK/store/tls")))).getMessage()
                        .contains("new FapiKeystore(config, keys)"));
            }
            assertTrue(assertThrows(java.io.IOException.class, () -> TpmKeyStoreParameter.FapiKey.of(fapi,
                    "/HS/SRK/store")).getMessage().contains("no certificate for /HS/SRK/store"));
            assertArrayEquals(fapi.publicKey("/HS/SRK/store/tls").getEncoded(),
                    ks.getCertificate("tls").getPublicKey().getEncoded());
        }
    }
}
