package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.fapi.FapiFixture.utf8;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * PolicySecret on the owner hierarchy after {@code tss2_changeauth --entityPath /HS} gave it a password:
 * the keystore's /HS object records it (with_auth), and tpmauth asks its auth callback for /HS as
 * FAPI does, both for keys FAPI made and keys tpmauth made. A TPM of its own: the owner password
 * stays set.
 */
class FapiHierarchyAuthTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provision() throws Exception {
        fapi = FapiFixture.provisioned(SWTPM, "P_ECCP256SHA256");
        fapi.importPolicy("secret-owner");
        fapi.tss2("tss2_changeauth", "--entityPath", "/HS", "--authValue", "owner");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiByOwner", "--type", "sign", "--policyPath",
                "/policy/secret-owner", "--authValue", "");
    }

    private static byte[] sign(FapiKeystore ks, String path) throws Exception {
        return ks.sign(path, FapiInteropTest.sha256(path), null);
    }

    @Test
    void policySecretOnTheOwnerTakesItsPasswordFromTheAuthCallback() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(ks.object("/HS").withAuth());
            String refused = assertThrows(PolicyException.class, () -> sign(ks, "/HS/SRK/fapiByOwner")).getMessage();
            assertTrue(refused.startsWith("element 1 (PolicySecret): ") && refused.contains("TPM_RC_BAD_AUTH"), refused);
            List<String> asked = new ArrayList<>();
            ks.setAuthCallback((path, description) -> {
                asked.add(path + " \"" + description + "\"");
                return utf8("owner");
            });
            byte[] sig = sign(ks, "/HS/SRK/fapiByOwner");
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/fapiByOwner"), "SHA256withECDSA", sig,
                    "/HS/SRK/fapiByOwner"));
            assertEquals(List.of("/P_ECCP256SHA256/HS \"Owner Hierarchy\""), asked);
            ks.createKey("/HS/SRK/javaByOwner", KeyType.SIGN, null, JsonPolicy.parse(
                    FapiPolicyTest.policyFile("secret-owner"), "secret-owner"));
        }
        fapi.assertTss2Signs("/HS/SRK/javaByOwner", "owner\\n");
    }
}
