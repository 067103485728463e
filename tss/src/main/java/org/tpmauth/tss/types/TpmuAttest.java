package org.tpmauth.tss.types;

import java.util.List;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMU_ATTEST: what an attestation structure vouches for, selected by its TPMI_ST_ATTEST type. */
public sealed interface TpmuAttest extends TpmMarshallable {
    /** The TPM_ST_ATTEST_* tag of this member. */
    int type();

    /** TPMS_CERTIFY_INFO (TPM_ST_ATTEST_CERTIFY): the certified object's Name and qualified Name. */
    record Certify(byte[] name, byte[] qualifiedName) implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_CERTIFY;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.sized(name).sized(qualifiedName);
        }
    }

    /** TPMS_QUOTE_INFO (TPM_ST_ATTEST_QUOTE): the quoted PCRs and the digest of their values. */
    record Quote(List<TpmsPcrSelection> pcrSelect, byte[] pcrDigest) implements TpmuAttest {
        public Quote {
            pcrSelect = List.copyOf(pcrSelect);
        }

        @Override
        public int type() {
            return TpmSt.ATTEST_QUOTE;
        }

        @Override
        public void marshal(TpmWriter out) {
            TpmsPcrSelection.writeList(out, pcrSelect);
            out.sized(pcrDigest);
        }
    }

    /** TPMS_CREATION_INFO (TPM_ST_ATTEST_CREATION): an object's Name and its creation data hash. */
    record Creation(byte[] objectName, byte[] creationHash) implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_CREATION;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.sized(objectName).sized(creationHash);
        }
    }

    /** TPMS_COMMAND_AUDIT_INFO (TPM_ST_ATTEST_COMMAND_AUDIT). */
    record CommandAudit(long auditCounter, TpmAlg digestAlg, byte[] auditDigest, byte[] commandDigest)
            implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_COMMAND_AUDIT;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.u64(auditCounter);
            digestAlg.marshal(out);
            out.sized(auditDigest).sized(commandDigest);
        }
    }

    /** TPMS_SESSION_AUDIT_INFO (TPM_ST_ATTEST_SESSION_AUDIT). */
    record SessionAudit(boolean exclusiveSession, byte[] sessionDigest) implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_SESSION_AUDIT;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.bool(exclusiveSession).sized(sessionDigest);
        }
    }

    /** TPMS_TIME_ATTEST_INFO (TPM_ST_ATTEST_TIME): the time, and the firmware version again. */
    record Time(TpmsTimeInfo time, long firmwareVersion) implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_TIME;
        }

        @Override
        public void marshal(TpmWriter out) {
            time.marshal(out);
            out.u64(firmwareVersion);
        }
    }

    /** TPMS_NV_CERTIFY_INFO (TPM_ST_ATTEST_NV): an NV index's Name and the certified contents. */
    record Nv(byte[] indexName, int offset, byte[] nvContents) implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_NV;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.sized(indexName).u16(offset).sized(nvContents);
        }
    }

    /** TPMS_NV_DIGEST_CERTIFY_INFO (TPM_ST_ATTEST_NV_DIGEST): an NV index's Name and contents digest. */
    record NvDigest(byte[] indexName, byte[] nvDigest) implements TpmuAttest {
        @Override
        public int type() {
            return TpmSt.ATTEST_NV_DIGEST;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.sized(indexName).sized(nvDigest);
        }
    }

    /** Reads the member that {@code type} (read at offset {@code typeOffset}) selects. */
    static TpmuAttest read(TpmReader in, int type, int typeOffset) {
        return switch (type) {
            case TpmSt.ATTEST_CERTIFY -> in.struct("TPMS_CERTIFY_INFO", r -> new Certify(name(r), name(r)));
            case TpmSt.ATTEST_QUOTE -> in.struct("TPMS_QUOTE_INFO",
                    r -> new Quote(TpmsPcrSelection.readList(r), digest(r)));
            case TpmSt.ATTEST_CREATION -> in.struct("TPMS_CREATION_INFO", r -> new Creation(name(r), digest(r)));
            case TpmSt.ATTEST_COMMAND_AUDIT -> in.struct("TPMS_COMMAND_AUDIT_INFO",
                    r -> new CommandAudit(r.u64(), TpmAlg.read(r), digest(r), digest(r)));
            case TpmSt.ATTEST_SESSION_AUDIT -> in.struct("TPMS_SESSION_AUDIT_INFO",
                    r -> new SessionAudit(r.bool(), digest(r)));
            case TpmSt.ATTEST_TIME -> in.struct("TPMS_TIME_ATTEST_INFO", r -> new Time(TpmsTimeInfo.read(r), r.u64()));
            case TpmSt.ATTEST_NV -> in.struct("TPMS_NV_CERTIFY_INFO",
                    r -> new Nv(name(r), r.u16(), r.sized(Tpm2bLimits.MAX_NV_BUFFER)));
            case TpmSt.ATTEST_NV_DIGEST -> in.struct("TPMS_NV_DIGEST_CERTIFY_INFO",
                    r -> new NvDigest(name(r), digest(r)));
            default -> throw new TpmFormatException("TPMS_ATTEST", typeOffset,
                    String.format("unknown attestation type 0x%04x", type));
        };
    }

    private static byte[] name(TpmReader r) {
        return r.sized(Tpm2bLimits.NAME);
    }

    private static byte[] digest(TpmReader r) {
        return r.sized(Tpm2bLimits.DIGEST);
    }
}
