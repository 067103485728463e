package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.types.TpmAlg;

/** object.json files written by tpm2-tss FAPI 3.2.1 (tss2_createkey, tss2_createseal, tss2_provision). */
class FapiObjectTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = FapiObjectTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecc-sign-key.json", "rsa-sign-key.json", "sealed.json", "ek.json"})
    void publicAreaRoundTripsAndItsNameIsFapis(String file) throws IOException {
        FapiObject o = FapiObject.parse(resource(file), file);
        ObjectNode json = o.json();
        assertEquals(json.get("public"), PublicAreaJson.writeSized(o.publicArea()), "public of " + file);
        assertEquals(json.get("name").asText(), HexFormat.of().formatHex(o.publicArea().name()));
    }

    @Test
    void readsTheFieldsFapiWrites() throws IOException {
        FapiObject key = FapiObject.parse(resource("ecc-sign-key.json"), "k");
        assertEquals(TpmAlg.ECDSA, key.signingScheme().scheme());
        assertEquals(TpmAlg.SHA256, key.signingScheme().hash());
        assertEquals(0, key.persistentHandle());
        assertEquals(false, key.withAuth());
        assertTrue(key.privateBlob().length > 100);
        FapiObject sealed = FapiObject.parse(resource("sealed.json"), "s");
        assertEquals(TpmAlg.NULL, sealed.signingScheme().scheme());
        assertTrue(FapiObject.parse(resource("ek.json"), "ek").policy().isPresent());
    }

    @Test
    void unknownFieldsSurviveAnUpdate() throws IOException {
        ObjectNode json = FapiObject.parse(resource("ecc-sign-key.json"), "k").json();
        json.put("appData", "00ff");
        json.putObject("futureField").put("x", 1);
        FapiObject o = FapiObject.of(json, "k");
        o.setDescription("new");
        ObjectNode after = FapiObject.parse(FapiJson.toBytes(o.json()), "k").json();
        assertEquals("00ff", after.get("appData").asText());
        assertEquals(1, after.get("futureField").get("x").asInt());
        assertEquals("new", after.get("description").asText());
        assertEquals(json.get("creationData"), after.get("creationData"));
    }

    @Test
    void malformedObjectsNameTheFileAndField() throws IOException {
        String good = new String(resource("ecc-sign-key.json"), StandardCharsets.UTF_8);
        assertEquals("bad.json: public.publicArea.type", error(good.replace("\"type\":\"ECC\"", "\"type\":\"FOO\"")));
        assertEquals("bad.json: public.publicArea.unique.x",
                error(good.replace("\"x\":\"af32", "\"x\":\"zz32")));
        assertEquals("bad.json: persistent_handle", error(good.replace("\"persistent_handle\":0,", "")));
        assertEquals("bad.json: objectType", error(good.replace("\"objectType\":1", "\"objectType\":9")));
        assertEquals("bad.json", error(good.substring(0, good.length() / 2)));
        assertEquals("bad.json", error("[1,2]"));
        assertEquals("bad.json: public.size", error(good.replace("\"size\":86", "\"size\":87")));
    }

    /** An NV object tss2_createnv wrote, after tss2_nvwrite: its Name is the one in FAPI's ESYS serialization. */
    @Test
    void nvObjectWrittenByFapi() throws IOException {
        FapiObject nv = FapiObject.parse(resource("fapi-nv.json"), "nv.json");
        assertTrue(nv.isNv());
        assertEquals(0x01800000, nv.nvPublic().nvIndex());
        assertEquals(32, nv.nvPublic().dataSize());
        assertEquals(org.tpmauth.tss.types.TpmaNv.NT_ORDINARY, org.tpmauth.tss.types.TpmaNv.type(
                nv.nvPublic().attributes()));
        String serialization = nv.json().get("serialization").asText();
        assertEquals(serialization.substring(12, 12 + 68), java.util.HexFormat.of().formatHex(nv.nvPublic().name()));
        String good = new String(resource("fapi-nv.json"), StandardCharsets.UTF_8);
        assertEquals("bad.json: public.nvPublic.attributes.TPM2_NT",
                error(good.replace("\"TPM2_NT\":\"ORDINARY\"", "\"TPM2_NT\":\"SOMETIMES\"")));
        assertEquals("bad.json: public.nvPublic.dataSize", error(good.replace("\"dataSize\":32", "\"dataSize\":-1")));
    }

    private static String error(String json) {
        return assertThrows(FapiFormatException.class,
                () -> FapiObject.parse(json.getBytes(StandardCharsets.UTF_8), "bad.json")).where();
    }
}
