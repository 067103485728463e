package org.tpmauth.cli;

import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tpmauth key list}: the persistent keys. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the keys persisted in the TPM: handle, algorithm, use and name.")
final class KeyListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Tpm tpm = TpmOptions.open(spec)) {
            var handles = Capabilities.handles(tpm, TpmHandles.HT_PERSISTENT);
            if (handles.isEmpty()) {
                out.println("no persistent keys");
            }
            for (int handle : handles) {
                ReadPublic.Response r = tpm.execute(new ReadPublic(handle));
                out.printf("%s  %-10s %-18s name %s%n", TpmHandles.hex(handle), algorithm(r.outPublic()),
                        use(r.outPublic().objectAttributes()), HexFormat.of().formatHex(r.name()));
            }
        }
        return 0;
    }

    static String algorithm(TpmtPublic p) {
        if (p.parameters() instanceof TpmuPublicParms.Ecc ecc) {
            return "ecc-" + ecc.curveId().name().toLowerCase().replace("nist_", "");
        }
        if (p.parameters() instanceof TpmuPublicParms.Rsa rsa) {
            return "rsa-" + rsa.keyBits();
        }
        return p.type().name().toLowerCase();
    }

    static String use(int attributes) {
        boolean restricted = TpmaObject.has(attributes, TpmaObject.RESTRICTED);
        boolean sign = TpmaObject.has(attributes, TpmaObject.SIGN_ENCRYPT);
        boolean decrypt = TpmaObject.has(attributes, TpmaObject.DECRYPT);
        if (restricted) {
            return decrypt ? "storage" : "attestation";
        }
        return sign && decrypt ? "sign+decrypt" : sign ? "sign" : decrypt ? "decrypt" : "data";
    }
}
