package org.tpmauth.tss.transport;

import java.util.List;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** Just enough commands to give the transports real work: state changes, slow commands. */
final class TestCommands {
    private TestCommands() {
    }

    /** TPM2_NV_DefineSpace of an ordinary 8-byte index with owner/auth read-write and an empty auth. */
    record NvDefineSpace(int nvIndex) implements TpmCommand<byte[]> {
        @Override
        public int commandCode() {
            return TpmCc.NV_DefineSpace;
        }

        @Override
        public List<Integer> handles() {
            return List.of(TpmHandles.RH_OWNER);
        }

        @Override
        public int authHandleCount() {
            return 1;
        }

        @Override
        public void marshalParameters(TpmWriter out) {
            out.u16(0); // auth: TPM2B_AUTH, empty
            out.sizedStruct(p -> p.u32(nvIndex).u16(0x000B) // nameAlg SHA-256
                    .u32(0x00060006) // OWNERWRITE | AUTHWRITE | OWNERREAD | AUTHREAD
                    .u16(0) // authPolicy
                    .u16(8)); // dataSize
        }

        @Override
        public byte[] readResponse(int[] handles, TpmReader parameters) {
            return new byte[0];
        }
    }

    /** TPM2_NV_ReadPublic: the TPM2B_NV_PUBLIC contents (answer TPM_RC_HANDLE when undefined). */
    record NvReadPublic(int nvIndex) implements TpmCommand<byte[]> {
        @Override
        public int commandCode() {
            return TpmCc.NV_ReadPublic;
        }

        @Override
        public List<Integer> handles() {
            return List.of(nvIndex);
        }

        @Override
        public byte[] readResponse(int[] handles, TpmReader in) {
            byte[] nvPublic = in.sized();
            in.sized(); // nvName
            return nvPublic;
        }
    }

    /** TPM2_CreatePrimary of an RSA-2048 storage key: slow enough (key generation) to be cancelled. */
    record CreateRsaPrimary(byte[] unique) implements TpmCommand<Integer> {
        /** A random unique field: a new key each time, never one the TPM computed before. */
        CreateRsaPrimary() {
            this(random256());
        }

        private static byte[] random256() {
            byte[] b = new byte[256];
            new java.security.SecureRandom().nextBytes(b);
            return b;
        }

        @Override
        public int commandCode() {
            return TpmCc.CreatePrimary;
        }

        @Override
        public List<Integer> handles() {
            return List.of(TpmHandles.RH_OWNER);
        }

        @Override
        public int authHandleCount() {
            return 1;
        }

        @Override
        public void marshalParameters(TpmWriter out) {
            out.sizedStruct(s -> s.u16(0).u16(0)); // inSensitive: empty userAuth and data
            out.sizedStruct(p -> p.u16(0x0001).u16(0x000B) // RSA, nameAlg SHA-256
                    .u32(0x00030472) // fixedTPM fixedParent sensitiveDataOrigin userWithAuth noDA restricted decrypt
                    .u16(0) // authPolicy
                    .u16(0x0006).u16(128).u16(0x0043) // AES-128-CFB
                    .u16(0x0010) // scheme NULL
                    .u16(2048).u32(0) // keyBits, exponent
                    .sized(unique));
            out.u16(0); // outsideInfo
            out.u32(0); // creationPCR
        }

        @Override
        public int responseHandleCount() {
            return 1;
        }

        @Override
        public Integer readResponse(int[] handles, TpmReader in) {
            in.bytes(in.remaining());
            return handles[0];
        }
    }
}
