package org.tpmauth.tss.fapi.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.LoadExternal;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.commands.PolicyAuthValue;
import org.tpmauth.tss.commands.PolicyAuthorize;
import org.tpmauth.tss.commands.PolicyCommandCode;
import org.tpmauth.tss.commands.PolicyCounterTimer;
import org.tpmauth.tss.commands.PolicyDuplicationSelect;
import org.tpmauth.tss.commands.PolicyLocality;
import org.tpmauth.tss.commands.PolicyNV;
import org.tpmauth.tss.commands.PolicyNvWritten;
import org.tpmauth.tss.commands.PolicyOR;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.PolicyPassword;
import org.tpmauth.tss.commands.PolicySecret;
import org.tpmauth.tss.commands.PolicySigned;
import org.tpmauth.tss.commands.VerifySignature;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Satisfies a JSON policy in a policy session, as FAPI does: each element becomes its TPM2_Policy*
 * command; a PolicyOR takes the branch the context's branch callback names, else the one branch that
 * holds, a PolicyAuthorize the signed policy the callback names or else the first from the keystore that
 * holds (restarting the session and replaying what came before for each try). PolicySecret and PolicyNV
 * authorize with the auth value the context gives for the object or hierarchy (FAPI's auth callback),
 * PolicySigned with the signature the context gets over the session's nonceTPM (FAPI's sign callback),
 * PolicyAction runs the context's action callback. A failure names the element, e.g. "branch 2 ("pcr")
 * of PolicyOR: element 1 (PolicyPCR): ...". PolicyLocality, PolicyNvWritten and PolicyDuplicationSelect run their
 * command; the TPM checks them when the session authorizes the command they are for.
 */
public final class PolicyRunner {
    private final Tpm tpm;
    private final PolicyContext context;
    private final int command;
    private final byte[] objectName;

    /**
     * A runner for a session that will authorize {@code command} (a TPM_CC; 0 when unknown) on the
     * object named {@code objectName} (the Name PolicyDuplicationSelect binds when its policy leaves it
     * out): an OR branch or signed policy whose PolicyCommandCode names another command does not hold.
     */
    public PolicyRunner(Tpm tpm, PolicyContext context, int command, byte[] objectName) {
        this.tpm = tpm;
        this.context = context;
        this.command = command;
        this.objectName = objectName.clone();
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
            if (e instanceof PolicyElement.Authorize authorize) {
                runAuthorize(s, nameAlg, authorize, replay, where);
                continue;
            }
            try {
                runOne(s, nameAlg, e);
            } catch (TpmException | IllegalStateException | UnsupportedOperationException failure) {
                throw new PolicyException(where + failure.getMessage(), failure);
            }
        }
    }

    /**
     * A PolicyOR: the branch the context's branch callback picks, else the one branch that holds (each
     * tried in a restarted session); several that hold are refused, naming them, so that the choice
     * stays the user's as with FAPI.
     */
    private void runOr(PolicySession s, TpmAlg nameAlg, PolicyElement.Or or, Runnable replay, String where) {
        List<byte[]> digests = or.branchDigests(nameAlg, context);
        List<String> names = or.branches().stream().map(PolicyElement.Branch::name).toList();
        int chosen = context.selectBranch(names);
        if (chosen != PolicyBranchCallback.AUTOMATIC) {
            if (chosen < 0 || chosen >= names.size()) {
                throw new PolicyException(where + "the branch callback chose branch " + chosen + " of "
                        + names.size() + " " + names);
            }
            runBranch(s, nameAlg, or, chosen, replay);
            s.run(new PolicyOR(s.handle(), digests));
            return;
        }
        List<Integer> holding = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int b = 0; b < names.size(); b++) {
            if (b > 0) {
                s.restart();
                replay.run();
            }
            try {
                runBranch(s, nameAlg, or, b, replay);
                holding.add(b);
            } catch (PolicyException failure) {
                failures.add(failure.getMessage());
            }
        }
        if (holding.isEmpty()) {
            throw new PolicyException(where + "no branch holds: " + String.join("; ", failures));
        }
        if (holding.size() > 1) {
            throw new PolicyException(where + "branches " + holding.stream().map(names::get).toList() + " all hold; "
                    + "choose one by name (tpmauth: --policy-branch NAME; Java: FapiKeystore.setBranchCallback). "
                    + "The branches: " + names);
        }
        int only = holding.get(0);
        if (only != names.size() - 1) {
            s.restart();
            replay.run();
            runBranch(s, nameAlg, or, only, replay);
        }
        s.run(new PolicyOR(s.handle(), digests));
    }

    private void runBranch(PolicySession s, TpmAlg nameAlg, PolicyElement.Or or, int b, Runnable replay) {
        String name = or.branches().get(b).name();
        run(s, nameAlg, or.branches().get(b).policy(), replay, "branch " + (b + 1)
                + (name.isEmpty() ? "" : " (\"" + name + "\")") + " of PolicyOR: ");
    }

    /**
     * Takes the signed policy the branch callback picks by its path, else tries the policies signed by
     * the PolicyAuthorize key in turn: runs one, has the TPM check its
     * signature over the digest the session reached (TPM2_VerifySignature), and hands the ticket to
     * TPM2_PolicyAuthorize.
     */
    private void runAuthorize(PolicySession s, TpmAlg nameAlg, PolicyElement.Authorize a, Runnable replay,
            String where) {
        byte[] keyName;
        try {
            keyName = a.name(context);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new PolicyException(where + e.getMessage(), e);
        }
        List<PolicyAuthorization.Approved> candidates = new ArrayList<>();
        for (PolicyAuthorization.Approved c : context.authorizedPolicies(keyName, a.policyRef())) {
            if (a.approvedPolicy().length == 0
                    || Arrays.equals(a.approvedPolicy(), c.policy().digest(nameAlg, context))) {
                candidates.add(c);
            }
        }
        if (candidates.isEmpty()) {
            throw new PolicyException(where + "no policy in the keystore is signed by key "
                    + HexFormat.of().formatHex(keyName) + " for this policyRef; sign one (tss2_authorizepolicy, "
                    + "FapiKeystore.authorizePolicy)");
        }
        if (candidates.size() > 1) { // FAPI lets its branch callback pick among the signed policies by path
            int chosen = context.selectBranch(candidates.stream().map(PolicyAuthorization.Approved::source).toList());
            if (chosen != PolicyBranchCallback.AUTOMATIC) {
                if (chosen < 0 || chosen >= candidates.size()) {
                    throw new PolicyException(where + "the branch callback chose signed policy " + chosen + " of "
                            + candidates.size());
                }
                candidates = List.of(candidates.get(chosen));
            }
        }
        List<String> failures = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            PolicyAuthorization.Approved candidate = candidates.get(c);
            String prefix = "authorized policy " + candidate.source() + ": ";
            if (c > 0) {
                s.restart();
                replay.run();
            }
            try {
                run(s, nameAlg, candidate.policy().elements(), replay, prefix);
                authorize(s, candidate.authorization());
                return;
            } catch (PolicyException failure) {
                failures.add(failure.getMessage());
            } catch (TpmException failure) {
                failures.add(prefix + failure.getMessage());
            }
        }
        throw new PolicyException(where + "no authorized policy holds: " + String.join("; ", failures));
    }

    private void authorize(PolicySession s, PolicyAuthorization authorization) {
        TpmtPublic signer = authorization.key();
        byte[] approved = s.digest();
        byte[] aHash = PolicyDigest.hash(signer.nameAlg(), approved, authorization.policyRef());
        TpmtTicket ticket = withExternal(signer, key -> tpm.execute(new VerifySignature(key, aHash,
                authorization.signature())).validation());
        s.run(new PolicyAuthorize(s.handle(), approved, authorization.policyRef(), signer.name(), ticket));
    }

    private <T> T withExternal(TpmtPublic key, java.util.function.IntFunction<T> use) {
        int handle = tpm.execute(new LoadExternal(key, TpmHandles.RH_OWNER)).objectHandle();
        try {
            return use.apply(handle);
        } finally {
            tpm.execute(new FlushContext(handle));
        }
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
            if (command != 0 && cc.code() != command) {
                throw new IllegalStateException("the policy is for " + TpmCc.nameOf(cc.code()) + ", not "
                        + TpmCc.nameOf(command));
            }
            s.run(new PolicyCommandCode(h, cc.code()));
        } else if (e instanceof PolicyElement.Secret secret) {
            runSecret(s, secret);
        } else if (e instanceof PolicyElement.Signed signed) {
            runSigned(s, signed);
        } else if (e instanceof PolicyElement.Nv nv) {
            runNv(s, nv);
        } else if (e instanceof PolicyElement.CounterTimer ct) {
            s.run(new PolicyCounterTimer(h, ct.operandB(), ct.offset(), ct.operation()));
        } else if (e instanceof PolicyElement.Action action) {
            context.policyAction(action.action());
        } else if (e instanceof PolicyElement.Locality locality) {
            s.run(new PolicyLocality(h, locality.locality()));
        } else if (e instanceof PolicyElement.NvWritten written) {
            s.run(new PolicyNvWritten(h, written.writtenSet()));
        } else if (e instanceof PolicyElement.DuplicationSelect d) {
            if (command != 0 && command != TpmCc.Duplicate) {
                throw new IllegalStateException("the policy is for TPM2_Duplicate, not " + TpmCc.nameOf(command));
            }
            // without includeObject the digest leaves the object out, but the TPM still binds the session to it
            byte[] object = d.objectName().length > 0 ? d.objectName() : objectName;
            s.run(new PolicyDuplicationSelect(h, object, d.parentName(context), d.includeObject()));
        } else {
            throw new UnsupportedOperationException("tpmauth cannot satisfy " + e.label());
        }
    }

    /** PolicySecret: a hierarchy, or a key or NV index of the keystore (by path, or found by its Name). */
    private void runSecret(PolicySession s, PolicyElement.Secret secret) {
        byte[] name = secret.name(context);
        if (name.length == 4) {
            int hierarchy = new TpmReader(name).u32();
            s.run(new PolicySecret(hierarchy, s.handle(), s.nonceTpm(), new byte[0], secret.policyRef(), 0),
                    PasswordSession.of(context.hierarchyAuth(hierarchy)));
            return;
        }
        String path = secret.objectPath() != null ? secret.objectPath() : context.pathOfName(name).orElseThrow(
                () -> new IllegalStateException("no key or NV index in the keystore has the Name "
                        + HexFormat.of().formatHex(name)));
        PasswordSession auth = PasswordSession.of(context.authValue(path));
        if (isNvPath(path)) {
            int index = context.nvPublic(path).nvIndex();
            s.run(new PolicySecret(index, s.handle(), s.nonceTpm(), new byte[0], secret.policyRef(), 0), auth);
        } else {
            context.withLoaded(path, handle -> s.run(new PolicySecret(handle, s.handle(), s.nonceTpm(), new byte[0],
                    secret.policyRef(), 0), auth));
        }
    }

    private static boolean isNvPath(String path) {
        return path.startsWith("/nv/");
    }

    /**
     * PolicySigned: the context (FAPI's sign callback) signs nonceTPM || expiration (0) || cpHashA
     * (empty) || policyRef; the TPM checks it with the key loaded from its public area.
     */
    private void runSigned(PolicySession s, PolicyElement.Signed signed) {
        TpmtPublic key = signed.key(context);
        byte[] nonce = s.nonceTpm();
        byte[] data = TpmWriter.marshal(out -> out.bytes(nonce).u32(0).bytes(signed.policyRef()));
        TpmtSignature signature = context.policySignature(key, signatureHash(key), data);
        withExternal(key, handle -> s.run(new PolicySigned(handle, s.handle(), nonce, new byte[0],
                signed.policyRef(), 0, signature)));
    }

    /** The hash a PolicySigned key signs with: its scheme's, else its name algorithm. */
    private static TpmAlg signatureHash(TpmtPublic key) {
        var scheme = key.parameters() instanceof TpmuPublicParms.Rsa r ? r.scheme()
                : key.parameters() instanceof TpmuPublicParms.Ecc e ? e.scheme() : null;
        return scheme != null && scheme.scheme() != TpmAlg.NULL ? scheme.hash() : key.nameAlg();
    }

    /**
     * PolicyNV: authorized by the index itself (AUTHREAD, with its auth value) or else by the owner
     * (OWNERREAD).
     */
    private void runNv(PolicySession s, PolicyElement.Nv nv) {
        int index = nv.index(context);
        NvReadPublic.Response current = tpm.execute(new NvReadPublic(index));
        TpmsNvPublic pub = current.nvPublic();
        PolicyNV command;
        PasswordSession auth;
        if ((pub.attributes() & TpmaNv.AUTHREAD) != 0) {
            String path = nv.nvPath() != null ? nv.nvPath() : context.pathOfName(current.nvName()).orElse(null);
            auth = PasswordSession.of(path == null ? new byte[0] : context.authValue(path));
            command = new PolicyNV(index, index, s.handle(), nv.operandB(), nv.offset(), nv.operation());
        } else if ((pub.attributes() & TpmaNv.OWNERREAD) != 0) {
            auth = PasswordSession.EMPTY;
            command = new PolicyNV(TpmHandles.RH_OWNER, index, s.handle(), nv.operandB(), nv.offset(), nv.operation());
        } else {
            throw new UnsupportedOperationException(String.format("NV index 0x%08x is readable neither with its auth "
                    + "value (AUTHREAD) nor by the owner (OWNERREAD); tpmauth runs PolicyNV with one of them", index));
        }
        s.run(command, auth);
    }
}
