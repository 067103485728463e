package org.tpmauth.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code tpmauth} command: TPM 2.0 machine identity for networks. */
@Command(name = "tpmauth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "TPM 2.0 machine identity: keys that never leave the TPM, for TLS, 802.1X, VPN and MQTT.",
        subcommands = {TpmGroup.class, RandomCommand.class, PcrCommand.class, KeyCommand.class, CsrCommand.class,
            TlsCommand.class, MqttCommand.class, EapCommand.class, OpenVpnCommand.class, OpenConnectCommand.class,
            WireguardCommand.class, StrongswanCommand.class, Pkcs11Command.class, NmCommand.class, WpaSupplicantCommand.class, SealCommand.class,
            UnsealCommand.class, PolicyCommand.class, KeystoreCommand.class, AttestCommand.class, DemoCommand.class,
            BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "The TPM is chosen by --tcti, else TPM2TOOLS_TCTI, else TSS2_TCTI, else /dev/tpmrm0.",
            "TCTI forms: swtpm:host=127.0.0.1,port=2321 | mssim:host=H,port=P | device:/dev/tpmrm0 | libtpms:STATE_DIR"})
public final class Main implements Runnable {
    @Option(names = "--tcti", scope = ScopeType.INHERIT, paramLabel = "CONF",
            description = "TPM to use, e.g. swtpm:host=127.0.0.1,port=2321 or libtpms:/var/lib/tpmauth/tpm")
    String tcti;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where commands that write a stream (the demo) print; the CommandLine's writers wrap it. */
    PrintStream stdout = System.out;
    /** Where such commands print progress when stdout carries a machine-readable report (demo --json). */
    PrintStream stderr = System.err;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
    public static int run(String... args) {
        return run(System.out, System.err, args);
    }

    /** Runs the CLI with its output and errors going to the given streams (for tests and embedding). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Main main = new Main();
        main.stdout = out;
        main.stderr = err;
        CommandLine cl = new CommandLine(main);
        // println flushes; what is printed without a newline (key public's PEM) is flushed at the end
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        cl.setOut(outWriter);
        cl.setErr(errWriter);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter w = commandLine.getErr();
            if (main.debug) {
                e.printStackTrace(w);
            }
            w.println("tpmauth: " + Errors.oneLine(e));
            return 1;
        });
        try {
            return cl.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** A usage error: one line saying what is wrong, suggestions for a misspelt name, and where help is. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("tpmauth: " + e.getMessage().replace('\n', ' '));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        if (cmd.getSubcommands().isEmpty()) {
            err.println("Usage: " + cmd.getHelp().synopsis(0).strip());
        } else {
            err.print("Commands:" + System.lineSeparator() + cmd.getHelp().commandList());
        }
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Version from the jar manifest, if any. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tpmauth " + (v == null ? "development build" : v)};
        }
    }
}
