package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/** TPM2_Unseal: one authorized handle, no parameters, outData hidden and bounded by MAX_SYM_DATA. */
class UnsealWireTest {
    private final Unseal unseal = new Unseal(0x80000001);

    @Test
    void layoutAndAttributes() {
        assertEquals(TpmCc.Unseal, unseal.commandCode());
        assertEquals(List.of(0x80000001), unseal.handles());
        assertEquals(1, unseal.authHandleCount());
        assertEquals(TpmaSession.ENCRYPT, unseal.encryptableParameters());
        assertEquals(true, unseal.carriesSecret());
    }

    @Test
    void readsOutDataAndHidesIt() {
        Unseal.Response r = unseal.readResponse(new int[0], new TpmReader(new byte[] {0, 3, 's', 'e', 'k'}));
        assertArrayEquals(new byte[] {'s', 'e', 'k'}, r.outData());
        assertFalse(r.toString().contains("sek"), r.toString());
    }

    @Test
    void malformedResponsesAreFormatErrors() {
        assertThrows(TpmFormatException.class, () -> unseal.readResponse(new int[0], new TpmReader(new byte[] {0, 3, 1})));
        byte[] tooLong = new byte[2 + 129];
        tooLong[1] = (byte) 129;
        assertThrows(TpmFormatException.class, () -> unseal.readResponse(new int[0], new TpmReader(tooLong)));
    }
}
