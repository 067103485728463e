package org.tpmauth.tss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tss.TpmRc.Location;
import org.tpmauth.tss.TpmRc.Location.Kind;
import org.tpmauth.tss.types.TpmCc;

class TpmRcTest {
    /** A spec name, or a TSS2 name: what a code gets when it is defined somewhere. */
    private static final Pattern SPEC_NAME = Pattern.compile("(TPM_RC|TSS2_[A-Z_]+_RC)_[A-Z0-9_]+");

    /** rc, name, location kind, location number, base. */
    static Stream<Arguments> codes() {
        return Stream.of(
                // format zero errors
                row(0x100, "TPM_RC_INITIALIZE", Kind.NONE, 0, TpmRc.INITIALIZE),
                row(0x101, "TPM_RC_FAILURE", Kind.NONE, 0, TpmRc.FAILURE),
                row(0x143, "TPM_RC_COMMAND_CODE", Kind.NONE, 0, TpmRc.COMMAND_CODE),
                row(0x14C, "TPM_RC_NV_DEFINED", Kind.NONE, 0, TpmRc.NV_DEFINED),
                row(0x155, "TPM_RC_SENSITIVE", Kind.NONE, 0, TpmRc.SENSITIVE),
                // format one: handle, parameter, session and the unspecified index
                row(0x18B, "TPM_RC_HANDLE", Kind.HANDLE, 1, TpmRc.HANDLE),
                row(0x78B, "TPM_RC_HANDLE", Kind.HANDLE, 7, TpmRc.HANDLE),
                row(0x1C4, "TPM_RC_VALUE", Kind.PARAMETER, 1, TpmRc.VALUE),
                row(0x2C4, "TPM_RC_VALUE", Kind.PARAMETER, 2, TpmRc.VALUE),
                row(0xFD5, "TPM_RC_SIZE", Kind.PARAMETER, 15, TpmRc.SIZE),
                row(0x98E, "TPM_RC_AUTH_FAIL", Kind.SESSION, 1, TpmRc.AUTH_FAIL),
                row(0xF9D, "TPM_RC_POLICY_FAIL", Kind.SESSION, 7, TpmRc.POLICY_FAIL),
                row(0x08B, "TPM_RC_HANDLE", Kind.NONE, 0, TpmRc.HANDLE),
                row(0x0C4, "TPM_RC_VALUE", Kind.NONE, 0, TpmRc.VALUE),
                row(0x880, "unknown TPM_RC 0x00000880", Kind.NONE, 0, 0x080),
                row(0x29F, "TPM_RC_INTEGRITY", Kind.HANDLE, 2, TpmRc.INTEGRITY),
                row(0x1A6, "TPM_RC_CURVE", Kind.HANDLE, 1, TpmRc.CURVE),
                row(0x1E6, "TPM_RC_CURVE", Kind.PARAMETER, 1, TpmRc.CURVE),
                // warnings; the reference warnings name a handle / session
                row(0x902, "TPM_RC_OBJECT_MEMORY", Kind.NONE, 0, TpmRc.OBJECT_MEMORY),
                row(0x921, "TPM_RC_LOCKOUT", Kind.NONE, 0, TpmRc.LOCKOUT),
                row(0x922, "TPM_RC_RETRY", Kind.NONE, 0, TpmRc.RETRY),
                row(0x910, "TPM_RC_REFERENCE_H0", Kind.HANDLE, 1, TpmRc.REFERENCE_H0),
                row(0x916, "TPM_RC_REFERENCE_H6", Kind.HANDLE, 7, TpmRc.REFERENCE_H6),
                row(0x918, "TPM_RC_REFERENCE_S0", Kind.SESSION, 1, TpmRc.REFERENCE_S0),
                row(0x91E, "TPM_RC_REFERENCE_S6", Kind.SESSION, 7, TpmRc.REFERENCE_S6),
                row(0x917, "unknown TPM_RC 0x00000917", Kind.NONE, 0, 0x917),
                row(0x97F, "TPM_RC_NOT_USED", Kind.NONE, 0, TpmRc.NOT_USED),
                // vendor error and warning
                row(0x500, "vendor-specific TPM_RC 0x00000500", Kind.NONE, 0, 0x500),
                row(0xD7F, "vendor-specific TPM_RC 0x00000d7f", Kind.NONE, 0, 0xD7F),
                // TPM 1.2 codes, and the one code TPM 2.0 keeps from TPM 1.2
                row(0x001, "TPM 1.2 response code 0x00000001", Kind.NONE, 0, 0x001),
                row(0x800, "TPM 1.2 response code 0x00000800", Kind.NONE, 0, 0x800),
                row(0x01E, "TPM_RC_BAD_TAG", Kind.NONE, 0, TpmRc.BAD_TAG),
                // TSS2 layers
                row(0x00060034, "TSS2_FAPI_RC_NOT_PROVISIONED", Kind.NONE, 0, 0x00060034),
                row(0x00070018, "TSS2_ESYS_RC_BAD_TR", Kind.NONE, 0, 0x00070018),
                row(0x00080001, "TSS2_SYS_RC_GENERAL_FAILURE", Kind.NONE, 0, 0x00080001),
                row(0x00090010, "TSS2_MU_RC_BAD_SIZE", Kind.NONE, 0, 0x00090010),
                row(0x000A0008, "TSS2_TCTI_RC_NO_CONNECTION", Kind.NONE, 0, 0x000A0008),
                row(0x000A000A, "TSS2_TCTI_RC_IO_ERROR", Kind.NONE, 0, 0x000A000A),
                row(0x000A0036, "TSS2_TCTI_RC_CALLBACK_NULL", Kind.NONE, 0, 0x000A0036),
                row(0x000D0002, "TSS2_DRIVER_RC_NOT_IMPLEMENTED", Kind.NONE, 0, 0x000D0002),
                // TSS2 layer codes outside the base table; bit 7 there is not format one
                row(0x000A0088, "TSS2_TCTI_RC 0x000a0088", Kind.NONE, 0, 0x000A0088),
                row(0x000AF801, "TSS2_TCTI_RC 0x000af801", Kind.NONE, 0, 0x000AF801),
                // resource managers relay TPM-format codes
                row(0x000B0143, "TPM_RC_COMMAND_CODE", Kind.NONE, 0, TpmRc.COMMAND_CODE),
                row(0x000B0902, "TPM_RC_OBJECT_MEMORY", Kind.NONE, 0, TpmRc.OBJECT_MEMORY),
                row(0x000C098E, "TPM_RC_AUTH_FAIL", Kind.SESSION, 1, TpmRc.AUTH_FAIL),
                // unknown codes
                row(0x1FF, "unknown TPM_RC 0x000001ff", Kind.PARAMETER, 1, 0x0BF),
                row(0x102, "unknown TPM_RC 0x00000102", Kind.NONE, 0, 0x102),
                row(0x1098E, "unknown response code 0x0001098e", Kind.NONE, 0, 0x1098E),
                row(0x000E0002, "unknown response code 0x000e0002", Kind.NONE, 0, 0x000E0002),
                row(0x1000098E, "unknown response code 0x1000098e", Kind.NONE, 0, 0x1000098E),
                row(0xFFFFFFFF, "unknown response code 0xffffffff", Kind.NONE, 0, 0xFFFFFFFF),
                row(0x0000F98E, "unknown TPM_RC 0x0000f98e", Kind.NONE, 0, 0x0000F98E),
                row(0x000B1902, "unknown TPM_RC 0x000b1902", Kind.NONE, 0, 0x000B1902),
                row(0x000, "TPM_RC_SUCCESS", Kind.NONE, 0, TpmRc.SUCCESS));
    }

    private static Arguments row(int rc, String name, Kind kind, int number, int base) {
        return Arguments.of(rc, name, kind, number, base);
    }

    @ParameterizedTest(name = "0x{0}")
    @MethodSource("codes")
    void decodes(int rc, String name, Kind kind, int number, int base) {
        assertEquals(name, TpmRc.name(rc));
        assertEquals(new Location(kind, number), TpmRc.location(rc));
        assertEquals(base, TpmRc.base(rc), () -> Integer.toHexString(TpmRc.base(rc)));
        String sentence = TpmRc.describe(TpmCc.Sign, rc);
        String prefix = rc == TpmRc.SUCCESS ? "TPM2_Sign succeeded" : "TPM2_Sign failed: " + name;
        assertTrue(sentence.startsWith(prefix), sentence);
        if (kind != Kind.NONE) {
            assertTrue(sentence.contains(name + " (" + kind.name().toLowerCase() + " " + number + ")"), sentence);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0x98E | TPM2_Sign failed: TPM_RC_AUTH_FAIL (session 1): wrong password for this key; the dictionary-attack counter was increased
            0x921 | TPM2_Sign failed: TPM_RC_LOCKOUT: the TPM is in dictionary-attack lockout and refuses passwords; wait for the lockout recovery time or reset it with the lockout authorization
            0x902 | TPM2_Sign failed: TPM_RC_OBJECT_MEMORY: the TPM has no free slot for another loaded object; flush loaded keys
            0x2C4 | TPM2_Sign failed: TPM_RC_VALUE (parameter 2): a value is out of range or not correct in this context
            0x18B | TPM2_Sign failed: TPM_RC_HANDLE (handle 1): the handle does not exist: the key or persistent handle is not loaded/persisted
            0x100 | TPM2_Sign failed: TPM_RC_INITIALIZE: the TPM has not been started (TPM2_Startup), or TPM2_Startup was sent to a TPM already started
            0x143 | TPM2_Sign failed: TPM_RC_COMMAND_CODE: this TPM does not implement TPM2_Sign
            0x29F | TPM2_Sign failed: TPM_RC_INTEGRITY (handle 2): integrity check failed: the key blob does not belong to this parent / this TPM (or was modified)
            0x910 | TPM2_Sign failed: TPM_RC_REFERENCE_H0 (handle 1): the handle refers to a transient object or session that is not loaded; load it again
            0x026 | TPM2_Sign failed: TPM 1.2 response code 0x00000026: a TPM 1.2 response; this device is a TPM 1.2 (or runs TPM 1.2 firmware) and tpmauth needs a TPM 2.0
            0x501 | TPM2_Sign failed: vendor-specific TPM_RC 0x00000501: the TPM manufacturer defines this error (number 0x01); see the vendor's documentation or update the TPM firmware
            0xD01 | TPM2_Sign failed: vendor-specific TPM_RC 0x00000d01: the TPM manufacturer defines this warning (number 0x01); see the vendor's documentation or update the TPM firmware
            0x1BF | TPM2_Sign failed: unknown TPM_RC 0x000001bf (handle 1): format-one error 0x3f is not defined by TPM 2.0 Part 2; the TPM may be newer than tpmauth
            0x17F | TPM2_Sign failed: unknown TPM_RC 0x0000017f: format-zero error 0x7f is not defined by TPM 2.0 Part 2; the TPM may be newer than tpmauth
            0x97E | TPM2_Sign failed: unknown TPM_RC 0x0000097e: format-zero warning 0x7e is not defined by TPM 2.0 Part 2; the TPM may be newer than tpmauth
            0xB0143 | TPM2_Sign failed: TPM_RC_COMMAND_CODE, relayed by the resource manager (/dev/tpmrm0 or tpm2-abrmd): this TPM does not implement TPM2_Sign
            0xA0008 | TPM2_Sign failed: TSS2_TCTI_RC_NO_CONNECTION from the TSS transport layer (TCTI), not the TPM: cannot connect to the TPM; check that the TPM device exists or that swtpm / tpm2-abrmd is running
            0x90000 | TPM2_Sign failed: TSS2_MU_RC 0x00090000 from the TSS marshalling layer (MU), not the TPM: base code 0 is not defined by the TSS 2.0 specification
            0xAF800 | TPM2_Sign failed: TSS2_TCTI_RC 0x000af800 from the TSS transport layer (TCTI), not the TPM: implementation-specific code 0xf800
            0x30002 | TPM2_Sign failed: unknown response code 0x00030002: neither a TPM 2.0 nor a known TSS2 response code
            0xF98E | TPM2_Sign failed: unknown TPM_RC 0x0000f98e: reserved bits are set, so this is not a TPM 2.0 response code
            0x000 | TPM2_Sign succeeded
            """)
    void sentences(String rc, String sentence) {
        assertEquals(sentence, TpmRc.describe(TpmCc.Sign, Integer.decode(rc)));
    }

    @Test
    void sentenceNamesAnUnknownCommandByItsCode() {
        assertEquals("command 0x00000999 failed: TPM_RC_COMMAND_CODE: this TPM does not implement command 0x00000999",
                TpmRc.describe(0x999, TpmRc.COMMAND_CODE));
    }

    /** Every constant is a spec code with its own name and text, and no two constants share a value. */
    @Test
    void everyConstantHasItsNameAndText() throws IllegalAccessException {
        Set<Integer> seen = new HashSet<>();
        int count = 0;
        for (Field f : TpmRc.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class || f.getName().startsWith("RC_")) {
                continue;
            }
            int code = f.getInt(null);
            count++;
            assertTrue(seen.add(code), f.getName() + " repeats a value");
            assertEquals("TPM_RC_" + f.getName(), TpmRc.name(code));
            assertEquals(code, TpmRc.base(code), f.getName() + " is a base code");
            if (code == TpmRc.SUCCESS) {
                continue;
            }
            String sentence = TpmRc.describe(TpmCc.Sign, code);
            assertFalse(sentence.contains("not defined"), sentence);
            assertTrue(sentence.length() > ("TPM2_Sign failed: TPM_RC_" + f.getName() + ": ").length() + 10, sentence);
        }
        assertEquals(100, count, "constants in TPM_RC (rev 1.59, plus FW_LIMITED and SVN_LIMITED of rev 1.83)");
    }

    /** Every 12-bit TPM code, samples of every layer and reserved bits: a sentence that identifies the code. */
    @Test
    void everyCodeGivesASentenceThatIdentifiesIt() {
        List<Integer> codes = new ArrayList<>();
        for (int low = 0; low <= 0xFFF; low++) {
            codes.add(low);
        }
        for (int layer = 0; layer <= 0xFF; layer++) {
            for (int low : new int[] {0x1, 0x36, 0x37, 0x8E, 0x98E, 0x1000, 0xF98E, 0xF800, 0xFFFF}) {
                codes.add(layer << 16 | low);
            }
        }
        codes.addAll(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0x01000000, 0x8000098E));
        for (int rc : codes) {
            String name = TpmRc.name(rc);
            String sentence = TpmRc.describe(TpmCc.Sign, rc);
            assertTrue(sentence.startsWith("TPM2_Sign " + (rc == 0 ? "succeeded" : "failed: " + name)), sentence);
            assertTrue(SPEC_NAME.matcher(name).matches() || sentence.contains(String.format("0x%08x", rc)), sentence);
        }
    }

    @Test
    void locationReadsAsText() {
        assertEquals("session 3", new Location(Kind.SESSION, 3).toString());
        assertEquals("parameter 12", TpmRc.location(0xCC4).toString());
        assertEquals("no handle, parameter or session", Location.NONE.toString());
    }

    @Test
    void responseExceptionUsesTheDecoding() {
        TpmResponseException e = new TpmResponseException(TpmCc.Sign, 0x98E);
        assertTrue(e.is(TpmRc.AUTH_FAIL));
        assertFalse(e.is(TpmRc.BAD_AUTH));
        assertEquals(TpmRc.AUTH_FAIL, e.baseCode());
        assertEquals(0x98E, e.responseCode());
        assertEquals(TpmRc.describe(TpmCc.Sign, 0x98E), e.getMessage());
        assertTrue(new TpmResponseException(TpmCc.Load, 0x000B0902).is(TpmRc.OBJECT_MEMORY));
    }
}
