package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Fuzzes the readers of the key structures: the first byte picks a reader, the rest is its input.
 * Each input either fails with {@link TpmFormatException} or reads a value that marshals back to
 * exactly the bytes it was read from. Anything else escaping is a finding. Seeds live in
 * resources/org/tpmauth/tss/types/KeyStructuresFuzzTestInputs/read/.
 */
class KeyStructuresFuzzTest {
    private static final List<TpmReader.Reading<byte[]>> READERS = List.of(
            in -> TpmWriter.marshal(TpmtPublic.readSized(in)::marshalSized),
            in -> TpmWriter.marshal(TpmsCreationData.readSized(in)::marshalSized),
            in -> TpmsContext.read(in).toBytes(),
            in -> TpmWriter.marshal(TpmsEccPoint.readSized(in)::marshalSized),
            in -> TpmWriter.marshal(TpmsSensitiveCreate.readSized(in)::marshalSized),
            in -> TpmWriter.marshal(TpmuPublicParms.readWithType(in)::marshalWithType),
            in -> TpmtTicket.read(in, TpmSt.CREATION).toBytes(),
            in -> TpmtSymDefObject.readSymDef(in).toBytes(),
            in -> TpmtAsymScheme.read(in, TpmtAsymScheme.Kind.ECC_SCHEME).toBytes());

    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] input = Arrays.copyOfRange(data, 1, data.length);
        TpmReader in = new TpmReader(input);
        byte[] written;
        try {
            written = READERS.get((data[0] & 0xff) % READERS.size()).read(in);
        } catch (TpmFormatException expected) {
            return;
        }
        assertArrayEquals(Arrays.copyOf(input, in.position()), written);
    }
}
