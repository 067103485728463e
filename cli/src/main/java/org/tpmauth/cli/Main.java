package org.tpmauth.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code tpmauth} command: TPM 2.0 machine identity for networks. */
@Command(name = "tpmauth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "TPM 2.0 machine identity: keys that never leave the TPM, for TLS, 802.1X, VPN and MQTT.",
        subcommands = {TpmGroup.class, RandomCommand.class, PcrCommand.class, KeyCommand.class,
            DemoCommand.class, CommandLine.HelpCommand.class},
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

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
    public static int run(String... args) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (main.debug) {
                e.printStackTrace(err);
            } else {
                err.println("tpmauth: " + Errors.oneLine(e));
            }
            err.flush();
            return 1;
        });
        return cl.execute(args);
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
