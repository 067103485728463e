package org.tpmauth.tss;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.commands.Quote;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmsCapabilityData;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.sessions.AuthResponse;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Fuzzes everything that reads bytes a TPM sent: any input either parses or fails with
 * {@link TpmFormatException}; anything else escaping (ArrayIndexOutOfBounds, NegativeArraySize,
 * IllegalArgument, OutOfMemory...) is a finding. The first input byte picks the target in
 * {@link #TARGETS} (modulo their number), the rest is what the target reads.
 *
 * <p>Adding a target is one line in {@link #TARGETS}. Append, so that the seeds in
 * resources/org/tpmauth/tss/ResponseFuzzTestInputs/responses/ (named after their target index)
 * keep their target; a seed for the new target is a file whose first byte is its index.
 */
class ResponseFuzzTest {
    private static final List<Target> TARGETS = List.of(
            reader("TPM2_GetRandom response parameters", in -> new GetRandom(32).readResponse(new int[0], in)),
            reader("TPMT_SIGNATURE", TpmtSignature::read),
            reader("TPML_PCR_SELECTION", TpmsPcrSelection::readList),
            reader("TPMT_SIG_SCHEME", TpmtSigScheme::read),
            reader("TPMS_AUTH_RESPONSE", AuthResponse::read),
            new Target("Tpm facade: TPM2_GetRandom response", bytes -> facade(bytes)),
            new Target("Tpm facade: TPM2_GetRandom response with a password session",
                    bytes -> facade(bytes, PasswordSession.EMPTY)),
            reader("TPMS_CAPABILITY_DATA", TpmsCapabilityData::read),
            reader("TPM2B_NV_PUBLIC", TpmsNvPublic::readSized),
            reader("TPM2_PCR_Read response parameters", in -> new PcrRead(List.of(
                    TpmsPcrSelection.of(TpmAlg.SHA256, 0, 1, 2))).readResponse(new int[0], in)),
            reader("TPM2_Quote response parameters", in -> new Quote(0x80000000, new byte[4],
                    TpmtSigScheme.ecdsa(TpmAlg.SHA256), List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7)))
                    .readResponse(new int[0], in)),
            new Target("TPMS_ATTEST", TpmsAttest::fromBytes));

    @FuzzTest(maxDuration = "30s")
    void responses(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Target target = TARGETS.get((data[0] & 0xff) % TARGETS.size());
        try {
            target.body().accept(Arrays.copyOfRange(data, 1, data.length));
        } catch (TpmFormatException expected) {
            // the one way a reader may refuse bytes
        }
    }

    /** One parser of TPM bytes, named for failure reports. */
    record Target(String name, Consumer<byte[]> body) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A target that runs one reader over the whole input. */
    private static Target reader(String name, TpmReader.Reading<?> reading) {
        return new Target(name, bytes -> reading.read(new TpmReader(bytes)));
    }

    /**
     * Runs TPM2_GetRandom through the {@link Tpm} facade over a transport whose first answer is the
     * fuzz input (later ones, for retries after TPM_RC_RETRY / YIELDED / TESTING, are a valid empty
     * answer so the fuzzer does not wait out the retry loop). A TPM error code in the input is a
     * legitimate answer: {@link TpmResponseException} is expected too.
     */
    private static void facade(byte[] response, Session... sessions) {
        try (Tpm tpm = new Tpm(new ReplayTcti(response))) {
            tpm.execute(new GetRandom(16), sessions);
        } catch (TpmResponseException expected) {
            // the input carried an error response code
        }
    }

    /** Answers the first command with the given bytes, every later one with an empty success. */
    private static final class ReplayTcti implements Tcti {
        /** TPM_ST_NO_SESSIONS, size 12, TPM_RC_SUCCESS, an empty TPM2B_DIGEST. */
        private static final byte[] EMPTY_RANDOM = {(byte) 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0};
        private byte[] next;

        ReplayTcti(byte[] first) {
            this.next = first;
        }

        @Override
        public byte[] transmit(byte[] command) {
            byte[] answer = next;
            next = EMPTY_RANDOM;
            return answer.clone();
        }

        @Override
        public String describe() {
            return "fuzz input";
        }

        @Override
        public void close() {
        }
    }
}
