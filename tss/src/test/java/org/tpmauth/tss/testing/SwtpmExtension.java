package org.tpmauth.tss.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.transport.SwtpmTcti;

/**
 * Starts one real swtpm per test class (fresh state directory, free 127.0.0.1 ports) and stops it
 * after the class. Register it on a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final SwtpmExtension SWTPM = new SwtpmExtension();
 * ...
 * Tpm tpm = SWTPM.tpm();
 * </pre>
 *
 * or with {@code @ExtendWith(SwtpmExtension.class)} and a test parameter of type SwtpmExtension or
 * Tpm. {@link #onUnixSockets()} starts swtpm on UNIX sockets instead of TCP ports. swtpm serves ONE data connection at a time: use the class's shared {@link #tpm()}; before
 * another client (tpm2-tools, a second {@link #openTpm()}) talks to swtpm, call {@link #disconnect()}
 * or close your Tpm, or that client waits.
 */
public final class SwtpmExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final List<SwtpmTcti> opened = new CopyOnWriteArrayList<>();
    private final boolean unixSockets;
    private SwtpmProcess swtpm;
    private Tpm shared;
    private int depth;

    /** swtpm on free 127.0.0.1 ports. */
    public SwtpmExtension() {
        this(false);
    }

    private SwtpmExtension(boolean unixSockets) {
        this.unixSockets = unixSockets;
    }

    /** swtpm on UNIX sockets in its temporary directory ({@link #socket()} and its ".ctrl" sibling). */
    public static SwtpmExtension onUnixSockets() {
        return new SwtpmExtension(true);
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        // nested test classes see the same extension: one swtpm for the outermost class
        if (depth++ == 0) {
            swtpm = SwtpmProcess.start(unixSockets);
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (--depth == 0) {
            opened.forEach(SwtpmTcti::close);
            opened.clear();
            shared = null;
            swtpm.stop();
            swtpm = null;
        }
    }

    private SwtpmProcess running() {
        if (swtpm == null) {
            throw new IllegalStateException("swtpm is not started: register SwtpmExtension on a static field "
                    + "(@RegisterExtension static) or with @ExtendWith, and use it inside the test class");
        }
        return swtpm;
    }

    /** The TCTI config string, "swtpm:host=127.0.0.1,port=P" (or "swtpm:path=S" on UNIX sockets). */
    public String tcti() {
        return unixSockets ? "swtpm:path=" + socket() : "swtpm:host=127.0.0.1,port=" + port();
    }

    /** The data port; the control port is {@code port() + 1}. Not on UNIX sockets. */
    public int port() {
        return running().port();
    }

    /** The data socket of {@link #onUnixSockets()}; the control socket is beside it, ".ctrl" appended. */
    public Path socket() {
        return running().socket();
    }

    public Path stateDir() {
        return running().stateDir();
    }

    /** A directory for the files of the class's tests and tools ({@link Tools#run}), deleted after the class. */
    public Path workDir() {
        return running().workDir();
    }

    /** The process id, e.g. to stop swtpm with SIGSTOP. */
    public long pid() {
        return running().pid();
    }

    /** The class's shared Tpm (opened on first use, closed after the class; do not close it). */
    public synchronized Tpm tpm() {
        if (shared == null) {
            shared = openTpm();
        }
        return shared;
    }

    /**
     * A new Tpm on its own connection, closed after the class at the latest. The connections of
     * earlier Tpms are released first (they reconnect when used again).
     */
    public Tpm openTpm() {
        disconnect();
        SwtpmTcti tcti = unixSockets ? new SwtpmTcti(socket()) : new SwtpmTcti("127.0.0.1", port());
        opened.add(tcti);
        return new Tpm(tcti);
    }

    /** Releases the data connections of every Tpm from this extension, so another client gets swtpm. */
    public void disconnect() {
        opened.forEach(SwtpmTcti::disconnect);
    }

    /** Whether the swtpm process is alive. */
    public boolean isRunning() {
        return running().isAlive();
    }

    /**
     * Power-cycles the TPM: TPM_Init through swtpm's control channel ({@code swtpm_ioctl -i}), as at
     * power-on, so the TPM waits for TPM2_Startup. NV contents and persistent objects stay; transient
     * objects and sessions are gone. The data connections are released first.
     */
    public void powerCycle() {
        disconnect();
        Tools.exec(workDir(), Map.of(), "swtpm_ioctl", unixSockets ? "--unix" : "--tcp",
                unixSockets ? SwtpmTcti.controlSocket(socket()).toString() : "127.0.0.1:" + (port() + 1), "-i");
    }

    /** Kills swtpm with SIGKILL and waits until it is gone. */
    public void kill() {
        running().kill();
    }

    /** Kills swtpm if still running and starts it again with the same state directory and port or socket. */
    public void restart() {
        running().restart();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SwtpmExtension.class || type == Tpm.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Tpm.class ? tpm() : this;
    }
}
