package org.tpmauth.tss.fapi;

import java.util.List;
import java.util.Map;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmWriter;

/** Answers a JSON policy's questions from a TPM and a FAPI keystore: PCR values, Names by path, NV Names. */
final class KeystorePolicyContext implements PolicyContext {
    private static final Map<String, Integer> HIERARCHY_HANDLES = Map.of("HS", TpmHandles.RH_OWNER,
            "HE", TpmHandles.RH_ENDORSEMENT, "HN", TpmHandles.RH_NULL, "LOCKOUT", TpmHandles.RH_LOCKOUT);

    private final Tpm tpm;
    private final FapiKeystore keystore;

    KeystorePolicyContext(Tpm tpm, FapiKeystore keystore) {
        this.tpm = tpm;
        this.keystore = keystore;
    }

    @Override
    public byte[] pcrValue(TpmAlg bank, int pcr) {
        byte[] value = PcrRead.readAll(tpm, List.of(TpmsPcrSelection.of(bank, pcr))).get(bank, pcr);
        if (value == null) {
            throw new IllegalStateException("the TPM has no " + bank.name().toLowerCase() + " PCR " + pcr);
        }
        return value;
    }

    @Override
    public byte[] objectName(String path) {
        FapiPath p = keystore.path(path);
        if (p.isHierarchy()) {
            return TpmWriter.marshal(out -> out.u32(HIERARCHY_HANDLES.get(p.hierarchy())));
        }
        return keystore.object(p).publicArea().name();
    }

    @Override
    public byte[] nvName(int nvIndex) {
        return tpm.execute(new NvReadPublic(nvIndex)).nvName();
    }
}
