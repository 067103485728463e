package org.tpmauth.tss.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.transport.LibtpmsTcti;
import org.tpmauth.tss.transport.Tcti;

/**
 * The in-process libtpms TPM shared by all test classes of a JVM (libtpms allows one per process):
 * one temporary state directory per JVM, the engine opened on first use and closed, with the
 * directory deleted, when the JVM exits. Use {@link #tpm()}, or {@code @ExtendWith(LibtpmsExtension.class)}
 * with a Tpm test parameter. Never close that Tpm (closing it does nothing). Persistent objects and NV
 * indices survive from class to class, so use handles or indices no other class uses, or remove them.
 * Test classes that need an engine of their own call {@link #release()} first.
 */
public final class LibtpmsExtension implements ParameterResolver {
    private static final SharedEngine ENGINE = new SharedEngine();
    private static final Tpm TPM = new Tpm(ENGINE);

    /** The shared in-process TPM. */
    public static Tpm tpm() {
        return TPM;
    }

    /** The shared engine's state directory. */
    public static Path stateDir() {
        return ENGINE.stateDir();
    }

    /**
     * Closes the shared engine so this JVM can open a libtpms engine of its own; the shared TPM reopens
     * (same state, transient objects gone) the next time it is used.
     */
    public static void release() {
        ENGINE.release();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Tpm.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return TPM;
    }

    /** Opens libtpms lazily, after a release as well; ignores close. */
    private static final class SharedEngine implements Tcti {
        private Path stateDir;
        private LibtpmsTcti engine;

        synchronized Path stateDir() {
            if (stateDir == null) {
                try {
                    stateDir = Files.createTempDirectory("libtpms-test-");
                } catch (IOException e) {
                    throw new IllegalStateException("cannot create a temporary libtpms state directory", e);
                }
                Path dir = stateDir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    release();
                    SwtpmProcess.deleteTree(dir);
                }, "libtpms test state cleanup"));
            }
            return stateDir;
        }

        private synchronized LibtpmsTcti engine() {
            if (engine == null) {
                engine = LibtpmsTcti.open(stateDir());
            }
            return engine;
        }

        synchronized void release() {
            if (engine != null) {
                engine.close();
                engine = null;
            }
        }

        @Override
        public synchronized byte[] transmit(byte[] command) {
            return engine().transmit(command);
        }

        @Override
        public void cancel() {
            LibtpmsTcti e;
            synchronized (this) {
                e = engine;
            }
            if (e != null) {
                e.cancel();
            }
        }

        @Override
        public String describe() {
            return "libtpms:" + stateDir();
        }

        @Override
        public void close() {
            // shared by every test class of the JVM: closed by the shutdown hook only
        }
    }
}
