package org.tpmauth.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.resources.ResourceManager;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.Hash;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.commands.Quote;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.sessions.HmacSession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.sessions.SessionOptions;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSigScheme;

/**
 * The operations of {@code tpmauth bench}, run through the same API applications use (Tpm, TpmKeys).
 * They run in the order printed, which also keeps at most three objects loaded at a time (swtpm's
 * slots): the storage primary, one EC and one RSA key. Keys are created for the run and flushed after.
 */
public final class TpmBench {
    /** How many keys the threaded run spreads its signatures over. */
    public static final int THREAD_KEYS = 20;

    /**
     * Before the first measurement, the command path runs this long so that the JIT has compiled it:
     * the figures are those of a running service, not of a process that just started. Session code
     * (HMAC, KDFa, AES-CFB both ways) is part of it: interpreted, it costs several times its compiled cost.
     */
    private static final Duration WARMUP = Duration.ofSeconds(2);
    private static final byte[] EMPTY = new byte[0];
    private static final List<TpmsPcrSelection> PCR_0_7 = List.of(TpmsPcrSelection.of(TpmAlg.SHA256,
            IntStream.range(0, 8).toArray()));

    private final Tpm tpm;
    private final int iterations;
    private final int threads;
    private final Consumer<String> progress;
    private final Sampler sampler;
    private final byte[] digest = new byte[32];

    /**
     * @param iterations timed runs per operation (and per thread in the threaded run)
     * @param threads    threads of the threaded signing run
     * @param tally      the transport under {@code tpm}'s resource manager, counting what reaches the TPM
     * @param progress   receives a line before each slow step
     */
    public TpmBench(Tpm tpm, CommandTally tally, int iterations, int threads, Consumer<String> progress) {
        if (iterations < 1 || threads < 1) {
            throw new IllegalArgumentException("iterations and threads must be at least 1");
        }
        this.tpm = tpm;
        this.iterations = iterations;
        this.threads = threads;
        this.progress = progress;
        this.sampler = new Sampler(iterations, tally);
        digest[0] = 1;
    }

    /** The name of the threaded run's line for a number of threads and keys. */
    public static String threadedName(int threads, int keys) {
        return "sign_ecdsa_p256_threads" + threads + "_keys" + keys;
    }

    /** Runs every operation, handing each result over as soon as it is measured. */
    public void run(Consumer<Measurement> results) {
        warmUp();
        results.accept(sampler.serial("getrandom32", () -> tpm.execute(new GetRandom(32))));
        progress.accept("createprimary_ecc (" + iterations + " primaries)");
        results.accept(sampler.serial("createprimary_ecc",
                () -> tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())),
                created -> tpm.execute(new FlushContext(created.objectHandle()))));
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile ecFile = keys.create(KeyAlgorithm.EC_P256, EMPTY, TpmHandles.RH_OWNER);
            results.accept(sampler.serial("load_ecc", () -> keys.load(ecFile, EMPTY), keys::unload));
            TpmKey ec = keys.load(ecFile, EMPTY);
            results.accept(sampler.serial("sign_ecdsa_p256", () -> sign(keys, ec, SigningScheme.ECDSA)));
            progress.accept("creating an RSA-2048 key");
            TpmKey rsa = keys.load(keys.create(KeyAlgorithm.RSA_2048, EMPTY, TpmHandles.RH_OWNER), EMPTY);
            results.accept(sampler.serial("sign_rsassa2048", () -> sign(keys, rsa, SigningScheme.PKCS1)));
            results.accept(sampler.serial("sign_rsapss2048", () -> sign(keys, rsa, SigningScheme.PSS)));
            keys.unload(rsa);
            results.accept(sampler.serial("load_sign_flush_ecdsa", () -> {
                TpmKey loaded = keys.load(ecFile, EMPTY);
                sign(keys, loaded, SigningScheme.ECDSA);
                keys.unload(loaded);
            }));
            results.accept(signSecureSession(ec));
            results.accept(sampler.serial("quote_pcr0_7", () -> tpm.execute(new Quote(ec.handle(), digest,
                    TpmtSigScheme.ecdsa(TpmAlg.SHA256), PCR_0_7), ec.auth())));
            results.accept(sampler.serial("pcr_read_8", () -> tpm.execute(new PcrRead(PCR_0_7))));
            keys.unload(ec);
            results.accept(signThreaded(keys));
        }
    }

    /**
     * TPM2_GetRandom, TPM2_PCR_Read and TPM2_Hash through a salted session that encrypts both ways, for
     * {@link #WARMUP}: transport, resource manager, marshalling and session code all get compiled.
     */
    private void warmUp() {
        progress.accept("warming up (" + WARMUP.toMillis() + " ms of TPM2_GetRandom, TPM2_PCR_Read and TPM2_Hash "
                + "through a salted, encrypting session)");
        int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
        try (HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(srk))) {
            for (long end = System.nanoTime() + WARMUP.toNanos(); System.nanoTime() < end; ) {
                tpm.execute(new GetRandom(32));
                tpm.execute(new PcrRead(PCR_0_7));
                tpm.execute(new Hash(digest, TpmAlg.SHA256, TpmHandles.RH_NULL), session);
            }
        } finally {
            tpm.execute(new FlushContext(srk));
        }
    }

    /**
     * ECDSA through a salted HMAC session (salt encrypted to the ECC storage primary) with AES-128-CFB
     * parameter encryption both ways, the session reused across signatures (continueSession).
     */
    private Measurement signSecureSession(TpmKey key) {
        int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
        HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(srk));
        try {
            Session auth = session.withAuth(EMPTY, true);
            byte[] digest = new byte[32];
            return sampler.serial("sign_ecdsa_secure_session", () -> tpm.execute(new Sign(key.handle(), digest,
                    SigningScheme.ECDSA.withHash(TpmAlg.SHA256)), auth));
        } finally {
            session.close();
            tpm.execute(new FlushContext(srk));
        }
    }

    /**
     * {@code threads} threads sign with up to {@link #THREAD_KEYS} keys, each signature with the next
     * key. Without a resource manager only as many keys as the TPM has free object slots take part;
     * the line's name says how many.
     */
    private Measurement signThreaded(TpmKeys keys) {
        progress.accept("creating " + THREAD_KEYS + " EC keys for " + threads + " threads");
        // TPM2_Create needs a free object slot too: create every key before loading any
        List<Tss2KeyFile> files = new ArrayList<>();
        for (int i = 0; i < THREAD_KEYS; i++) {
            files.add(keys.create(KeyAlgorithm.EC_P256, EMPTY, TpmHandles.RH_OWNER));
        }
        List<TpmKey> loaded = new ArrayList<>();
        for (Tss2KeyFile file : files) {
            try {
                loaded.add(keys.load(file, EMPTY));
            } catch (TpmResponseException e) {
                if (!e.is(TpmRc.OBJECT_MEMORY) || loaded.isEmpty()) {
                    throw e;
                }
                progress.accept("only " + loaded.size() + " of " + THREAD_KEYS + " keys fit in the TPM's object"
                        + " slots (no resource manager yet); the threaded run uses " + loaded.size());
                break;
            }
        }
        int n = loaded.size();
        Sampler.ThreadedOp op = (thread, i) -> sign(keys, loaded.get((thread + i) % n), SigningScheme.ECDSA);
        progress.accept("warming up the threaded run (" + (long) threads * iterations + " signatures)");
        sampler.warmUp(threads, op);
        progress.accept(threadedName(threads, n) + " (" + (long) threads * iterations + " signatures)");
        long swapsBefore = tpm.resourceManager().map(ResourceManager::swapIns).orElse(0L);
        Measurement m = sampler.threaded(threadedName(threads, n), threads, op);
        tpm.resourceManager().ifPresent(rm -> progress.accept(String.format("%.2f keys loaded back (ContextLoad) per "
                + "signature in the threaded run", (rm.swapIns() - swapsBefore) / (double) ((long) threads * iterations))));
        return m;
    }

    private void sign(TpmKeys keys, TpmKey key, SigningScheme scheme) {
        keys.signRaw(key, digest, TpmAlg.SHA256, scheme);
    }
}
