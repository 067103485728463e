package org.tpmauth.tss.fapi.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.commands.PolicyAuthValue;
import org.tpmauth.tss.commands.PolicyCommandCode;
import org.tpmauth.tss.commands.PolicyCounterTimer;
import org.tpmauth.tss.commands.PolicyNV;
import org.tpmauth.tss.commands.PolicyOR;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.PolicyPassword;
import org.tpmauth.tss.commands.PolicySecret;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Satisfies a JSON policy in a policy session: each element becomes its TPM2_Policy* command; a
 * PolicyOR tries its branches in order and takes the first that holds (restarting the session and
 * replaying what came before for the next one). A failure names the element, e.g. "branch 2 of
 * PolicyOR: element 1 (PolicyPCR): ...". PolicySecret works for hierarchies with an empty auth,
 * PolicyNV for indices readable with an empty auth; PolicySigned, PolicyAuthorize, PolicyLocality,
 * PolicyNvWritten and PolicyDuplicationSelect are computed but not yet satisfied.
 */
public final class PolicyRunner {
    private final PolicyContext context;

    public PolicyRunner(PolicyContext context) {
        this.context = context;
    }

    /** Runs {@code policy} on {@code session}, whose hash is the authorized object's name algorithm. */
    public void run(PolicySession session, TpmAlg nameAlg, JsonPolicy policy) {
        run(session, nameAlg, policy.elements(), () -> { }, "");
    }

    private void run(PolicySession s, TpmAlg nameAlg, List<PolicyElement> elements, Runnable before, String prefix) {
        for (int i = 0; i < elements.size(); i++) {
            PolicyElement e = elements.get(i);
            String where = prefix + "element " + (i + 1) + " (" + e.label() + "): ";
            int done = i;
            Runnable replay = () -> {
                before.run();
                run(s, nameAlg, elements.subList(0, done), () -> { }, prefix);
            };
            if (e instanceof PolicyElement.Or or) {
                runOr(s, nameAlg, or, replay, where);
                continue;
            }
            try {
                runOne(s, nameAlg, e);
            } catch (TpmException | IllegalStateException | UnsupportedOperationException failure) {
                throw new PolicyException(where + failure.getMessage(), failure);
            }
        }
    }

    private void runOr(PolicySession s, TpmAlg nameAlg, PolicyElement.Or or, Runnable replay, String where) {
        List<byte[]> digests = or.branchDigests(nameAlg, context);
        List<String> failures = new ArrayList<>();
        for (int b = 0; b < or.branches().size(); b++) {
            String branch = "branch " + (b + 1) + " of PolicyOR: ";
            if (b > 0) {
                s.restart();
                replay.run();
            }
            try {
                run(s, nameAlg, or.branches().get(b).policy(), replay, branch);
                s.run(new PolicyOR(s.handle(), digests));
                return;
            } catch (PolicyException failure) {
                failures.add(failure.getMessage());
            }
        }
        throw new PolicyException(where + "no branch holds: " + String.join("; ", failures));
    }

    private void runOne(PolicySession s, TpmAlg nameAlg, PolicyElement e) {
        int h = s.handle();
        if (e instanceof PolicyElement.Pcr pcr) {
            Map<TpmAlg, TreeMap<Integer, byte[]>> values = pcr.values(nameAlg, context);
            s.run(new PolicyPCR(h, PolicyElement.Pcr.pcrDigest(nameAlg, values), PolicyElement.Pcr.selection(values)));
        } else if (e instanceof PolicyElement.AuthValue) {
            s.run(new PolicyAuthValue(h));
        } else if (e instanceof PolicyElement.Password) {
            s.run(new PolicyPassword(h));
        } else if (e instanceof PolicyElement.CommandCode cc) {
            s.run(new PolicyCommandCode(h, cc.code()));
        } else if (e instanceof PolicyElement.Secret secret) {
            byte[] name = secret.name(context);
            if (name.length != 4) {
                throw new UnsupportedOperationException("PolicySecret on a key or NV index is not supported yet; "
                        + "only on a hierarchy (objectName of 4 bytes)");
            }
            int handle = new TpmReader(name).u32();
            s.run(new PolicySecret(handle, h, s.nonceTpm(), new byte[0], secret.policyRef(), 0), PasswordSession.EMPTY);
        } else if (e instanceof PolicyElement.Nv nv) {
            s.run(new PolicyNV(nv.nvIndex(), nv.nvIndex(), h, nv.operandB(), nv.offset(), nv.operation()),
                    PasswordSession.EMPTY);
        } else if (e instanceof PolicyElement.CounterTimer ct) {
            s.run(new PolicyCounterTimer(h, ct.operandB(), ct.offset(), ct.operation()));
        } else {
            throw new UnsupportedOperationException("tpmauth computes " + e.label() + " but cannot satisfy it yet");
        }
    }
}
