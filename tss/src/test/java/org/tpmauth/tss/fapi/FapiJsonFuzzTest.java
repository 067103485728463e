package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HexFormat;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyAuthorization;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Fuzzes the readers of FAPI's JSON files: keystore objects (object.json) and TCG JSON policies. An
 * input either fails with {@link FapiFormatException} (naming the field) or parses; a parsed object
 * writes its public area back to JSON that reads to the same area, and a parsed policy either has a
 * digest or says which element needs the TPM ({@link PolicyException}). Anything else escaping is a
 * finding. Seeds: resources/org/tpmauth/tss/fapi/FapiJsonFuzzTestInputs/{objectJson,policyJson}/.
 */
class FapiJsonFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void objectJson(byte[] data) {
        FapiObject o;
        try {
            o = FapiObject.parse(data, "fuzz.json");
        } catch (FapiFormatException expected) {
            return;
        }
        if (o.isKey()) {
            var again = PublicAreaJson.read(JsonFields.of("again", PublicAreaJson.write(o.publicArea())));
            assertArrayEquals(o.publicArea().name(), again.name());
            o.signingScheme();
            o.privateBlob();
            o.description();
            o.certificate();
        }
        if (o.isNv()) {
            var again = NvPublicJson.readSized(JsonFields.of("again", NvPublicJson.writeSized(o.nvPublic())));
            assertArrayEquals(o.nvPublic().name(), again.name());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void policyJson(byte[] data) {
        JsonPolicy policy;
        try {
            policy = JsonPolicy.parse(data, "fuzz.json");
        } catch (FapiFormatException expected) {
            return;
        }
        for (PolicyAuthorization a : policy.authorizations()) {
            assertEquals(policy.authorizations().size() + 1, policy.withAuthorization(a).authorizations().size());
        }
        try {
            byte[] digest = policy.digest(TpmAlg.SHA256, PolicyContext.offline());
            assertEquals(32, digest.length, HexFormat.of().formatHex(digest));
        } catch (PolicyException needsTheTpmOrIsInconsistent) {
            // e.g. currentPCRs offline, or a PolicyOR with too many branch digests
        }
    }
}
