package org.tpmauth.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code tpmauth} command: TPM 2.0 machine identity for networks. */
@Command(name = "tpmauth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "TPM 2.0 machine identity: keys that never leave the TPM, for TLS, 802.1X, VPN and MQTT.",
        footer = {"", "The TPM is chosen by --tcti, else TPM2TOOLS_TCTI, else TSS2_TCTI, else /dev/tpmrm0.",
            "TCTI forms: swtpm:host=127.0.0.1,port=2321 | swtpm:path=SOCKET | mssim:host=H,port=P | device:/dev/tpmrm0 | "
                    + "libtpms:STATE_DIR"})
public final class Main implements Runnable {
    /** The top-level commands, in help order (added by {@link #commandLine}, not by the annotation: see there). */
    private static final List<Class<?>> COMMANDS = List.of(TpmGroup.class, RandomCommand.class, PcrCommand.class,
            KeyCommand.class, CsrCommand.class, TlsCommand.class, MqttCommand.class, EapCommand.class,
            OpenVpnCommand.class, OpenConnectCommand.class, WireguardCommand.class, StrongswanCommand.class,
            Pkcs11Command.class, NmCommand.class, WpaSupplicantCommand.class, SealCommand.class, UnsealCommand.class,
            PolicyCommand.class, KeystoreCommand.class, AttestCommand.class, DemoCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class);

    @Option(names = "--tcti", scope = ScopeType.INHERIT, paramLabel = "CONF",
            description = "TPM to use, e.g. swtpm:host=127.0.0.1,port=2321, swtpm:path=/run/swtpm/sock (UNIX "
                    + "sockets) or libtpms:/var/lib/tpmauth/tpm")
    String tcti;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where commands that write a stream (the demo) print; the CommandLine's writers wrap it. */
    PrintStream stdout = System.out;
    /** Where such commands print progress when stdout carries a machine-readable result. */
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
        CommandLine cl = commandLine(main, args);
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

    /** The whole command tree (help, documentation, tests). */
    static CommandLine commandLine(Main main) {
        return commandLine(main, COMMANDS);
    }

    /**
     * The tree for one command line: when args name a top-level command, only that branch. picocli builds the
     * model of every command it is given (options, annotations, subcommands) before parsing; for all 90-odd
     * commands that is most of a short command's CPU (`wireguard up` in a fresh JVM: 0.6 of 1.2 s on the main
     * thread, and the JIT's work on it). Parsing is the same: picocli would route args to that branch anyway.
     * Anything else (no command, top-level options only, help, a misspelt name, an @argument file) gets all.
     */
    static CommandLine commandLine(Main main, String... args) {
        String name = invokedName(args);
        for (Class<?> command : name == null ? List.<Class<?>>of() : COMMANDS) {
            Command c = command.getAnnotation(Command.class);
            boolean named = c.name().equals(name) || List.of(c.aliases()).contains(name);
            if (named && command != CommandLine.HelpCommand.class) { // help needs the command it explains
                return commandLine(main, List.of(command));
            }
        }
        return commandLine(main);
    }

    private static CommandLine commandLine(Main main, List<Class<?>> commands) {
        CommandLine cl = new CommandLine(main);
        commands.forEach(cl::addSubcommand);
        return cl;
    }

    /** The first argument that is not a global option or its value; null if there is none or it cannot tell. */
    private static String invokedName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--tcti")) {
                i++;
            } else if (!arg.startsWith("--tcti=") && !arg.equals("--debug")) {
                return arg.startsWith("-") || arg.startsWith("@") ? null : arg;
            }
        }
        return null;
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
