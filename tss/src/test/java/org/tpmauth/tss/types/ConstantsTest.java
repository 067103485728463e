package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConstantsTest {
    @Test
    void propertyNames() {
        assertEquals("TPM_PT_FAMILY_INDICATOR", TpmPt.nameOf(0x100));
        assertEquals("TPM_PT_MANUFACTURER", TpmPt.nameOf(0x105));
        assertEquals("TPM_PT_MAX_COMMAND_SIZE", TpmPt.nameOf(0x11E));
        assertEquals("TPM_PT_PERMANENT", TpmPt.nameOf(0x200));
        assertEquals("TPM_PT_LOCKOUT_RECOVERY", TpmPt.nameOf(0x211));
        assertEquals("TPM_PT_HR_PERSISTENT_AVAIL", TpmPt.nameOf(0x209));
        assertEquals("0x00000115", TpmPt.nameOf(0x115));
        assertEquals("TPM_CAP_ECC_CURVES", TpmCap.nameOf(8));
        assertEquals("TPM_PT_PCR_DRTM_RESET", TpmPtPcr.nameOf(0x12));
    }

    @Test
    void asciiProperties() {
        assertEquals("IBM", TpmPt.ascii(0x49424d00));
        assertEquals("SW", TpmPt.ascii(0x53572020));
        assertEquals("TPM", TpmPt.ascii(0x2054504d).strip());
        assertEquals(" TPM", TpmPt.ascii(0x2054504d));
        assertEquals("a?b", TpmPt.ascii(0x61016200));
    }

    @Test
    void commandAttributes() {
        int tpmaCc = 0x0440011F; // NV_UndefineSpaceSpecial: 2 handles, NV
        assertEquals(TpmCc.NV_UndefineSpaceSpecial, TpmaCc.commandCode(tpmaCc));
        assertEquals(2, TpmaCc.commandHandles(tpmaCc));
        assertFalse(TpmaCc.responseHandle(tpmaCc));
        int createPrimary = 0x12000131;
        assertEquals(TpmCc.CreatePrimary, TpmaCc.commandCode(createPrimary));
        assertTrue(TpmaCc.responseHandle(createPrimary));
        assertEquals(0x20000001, TpmaCc.commandCode(TpmaCc.V | 0x00400001));
    }
}
