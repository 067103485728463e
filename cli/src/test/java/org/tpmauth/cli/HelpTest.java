package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Help for every command, and usage errors (exit 2). No TPM is needed. */
class HelpTest {
    /** The interface the issue fixes: command path -> options it must have. */
    private static final Map<String, List<String>> INTERFACE = Map.ofEntries(
            Map.entry("tpm info", List.of()),
            Map.entry("random", List.of()),
            Map.entry("pcr read", List.of()),
            Map.entry("key create", List.of("--type", "--password-file", "--parent", "--out")),
            Map.entry("key public", List.of("--key", "--out")),
            Map.entry("key sign", List.of("--key", "--password-file", "--in", "--digest", "--scheme", "--out")),
            Map.entry("key persist", List.of("--key", "--handle")),
            Map.entry("key evict", List.of("--handle")),
            Map.entry("key list", List.of()),
            Map.entry("demo", List.of("--state", "--out")),
            Map.entry("keystore provision", List.of()),
            Map.entry("keystore list", List.of()),
            Map.entry("keystore create", List.of("--type", "--policy", "--password-file")),
            Map.entry("keystore sign", List.of("--in", "--out")),
            Map.entry("keystore seal", List.of("--in")),
            Map.entry("keystore unseal", List.of()),
            Map.entry("keystore delete", List.of()),
            Map.entry("keystore export", List.of()),
            Map.entry("policy digest", List.of("--name-alg")));

    /** Every command below the root, by its path ("key sign"), in tree order. */
    private static Map<String, CommandLine> commandTree() {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        walk(Main.commandLine(new Main()), "", all);
        return all;
    }

    private static void walk(CommandLine cmd, String path, Map<String, CommandLine> all) {
        cmd.getSubcommands().forEach((name, sub) -> {
            String subPath = path.isEmpty() ? name : path + " " + name;
            all.put(subPath, sub);
            walk(sub, subPath, all);
        });
    }

    @TestFactory
    Stream<DynamicTest> everyCommandHasHelp() {
        Map<String, CommandLine> tree = commandTree();
        assertTrue(tree.size() >= INTERFACE.size(), "the tree was walked: " + tree.keySet());
        return tree.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey() + " --help", () -> {
            List<String> args = new ArrayList<>(Arrays.asList(e.getKey().split(" ")));
            args.add("--help");
            Cli.Result r = Cli.tpmauth(args.toArray(String[]::new)).ok();
            // picocli's own help command puts its description above the usage line
            assertTrue(r.outLines().stream().anyMatch(l -> l.startsWith("Usage: tpmauth " + e.getKey() + " ")),
                    () -> "usage names the command: " + r);
            String about = about(e.getValue());
            assertFalse(about.isBlank(), "the command is described");
            assertTrue(r.out().contains(about.substring(0, Math.min(30, about.length()))),
                    () -> "the help shows the description: " + r);
            for (OptionSpec option : e.getValue().getCommandSpec().options()) {
                assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                        () -> e.getKey() + " " + option.longestName() + " has a description");
                assertTrue(r.out().contains(option.longestName()), () -> "help lists " + option.longestName());
            }
        }));
    }

    /** The first line describing a command: its header if it has one (picocli's help command), else its description. */
    private static String about(CommandLine cmd) {
        var usage = cmd.getCommandSpec().usageMessage();
        String[] text = usage.header().length > 0 ? usage.header() : usage.description();
        return text.length > 0 ? String.format(text[0]).strip() : "";
    }

    @Test
    void theIssuesCommandsAndOptionsExist() {
        Map<String, CommandLine> tree = commandTree();
        INTERFACE.forEach((path, options) -> {
            CommandLine cmd = tree.get(path);
            assertNotNull(cmd, "command " + path);
            for (String option : options) {
                assertNotNull(cmd.getCommandSpec().findOption(option), path + " " + option);
            }
            // the global options reach every command
            assertNotNull(cmd.getCommandSpec().findOption("--tcti"), path + " --tcti");
            assertNotNull(cmd.getCommandSpec().findOption("--debug"), path + " --debug");
        });
    }

    @Test
    void topLevelHelpListsEveryCommand() {
        Cli.Result r = Cli.tpmauth("--help").ok();
        assertTrue(r.out().startsWith("Usage: tpmauth "), r::toString);
        List<String> lines = r.outLines();
        int commands = lines.indexOf("Commands:");
        assertTrue(commands > 0, "a Commands: section");
        for (String name : Main.commandLine(new Main()).getSubcommands().keySet()) {
            assertTrue(lines.subList(commands + 1, lines.size()).stream().anyMatch(l -> l.startsWith("  " + name + " ")),
                    () -> name + " is listed: " + r);
        }
        assertTrue(r.out().contains("--tcti") && r.out().contains("--debug"), "global options shown");
        assertTrue(r.out().contains("swtpm:host="), "the TCTI forms are explained");
    }

    @Test
    void noArgumentsShowsTheUsage() {
        Cli.Result r = Cli.tpmauth().ok();
        assertEquals(Cli.tpmauth("--help").out(), r.out());
    }

    @Test
    void helpSubcommandShowsACommandsHelp() {
        Cli.Result r = Cli.tpmauth("help", "random").ok();
        assertEquals(Cli.tpmauth("random", "--help").out(), r.out());
    }

    @Test
    void aNamedCommandGetsOnlyItsBranchAndAnythingElseTheWholeTree() {
        int all = Main.commandLine(new Main()).getSubcommands().size();
        assertEquals(List.of("wireguard"), List.copyOf(Main.commandLine(new Main(), "--tcti", "swtpm:port=1", "--debug",
                "wireguard", "up", "--sealed", "f").getSubcommands().keySet()));
        assertEquals(List.of("key"), List.copyOf(Main.commandLine(new Main(), "--tcti=x", "key", "--help")
                .getSubcommands().keySet()));
        for (String[] args : new String[][] {{}, {"--help"}, {"--tcti", "x"}, {"help", "key"}, {"wiregard", "up"},
            {"@args.txt"}, {"-V"}}) {
            assertEquals(all, Main.commandLine(new Main(), args).getSubcommands().size(), Arrays.toString(args));
        }
        assertEquals(2, Cli.tpmauth("wiregard").code(), "a misspelt command is still a usage error");
        assertTrue(Cli.tpmauth("wiregard").err().contains("Did you mean: tpmauth wireguard"), "with a suggestion");
    }

    @Test
    void versionIsPrinted() {
        Cli.Result r = Cli.tpmauth("--version").ok();
        assertTrue(r.out().startsWith("tpmauth "), r::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"frobnicate", "key frobnicate", "tpm frobnicate"})
    void unknownCommandIsAUsageError(String command) {
        String[] args = command.split(" ");
        Cli.Result r = usageError(args);
        assertTrue(r.err().contains("'frobnicate'"), r::toString);
        String parent = command.substring(0, command.lastIndexOf("frobnicate")).strip();
        String hint = "Try 'tpmauth" + (parent.isEmpty() ? "" : " " + parent) + " --help'";
        assertTrue(r.err().contains(hint), () -> "hint " + hint + ": " + r);
    }

    @Test
    void misspeltCommandGetsASuggestion() {
        Cli.Result r = usageError("key", "pubilc");
        assertTrue(r.err().contains("Did you mean") && r.err().contains("key public"), r::toString);
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        Cli.Result r = usageError("key", "create", "--type", "ec-p256");
        assertTrue(r.err().contains("--out"), r::toString);
        assertTrue(r.err().contains("Usage: tpmauth key create"), r::toString);
        assertTrue(r.err().contains("Try 'tpmauth key create --help'"), r::toString);
    }

    @Test
    void missingParameterIsAUsageError() {
        Cli.Result r = usageError("random");
        assertTrue(r.err().contains("'N'"), r::toString);
    }

    @Test
    void nonNumericCountIsAUsageError() {
        Cli.Result r = usageError("random", "lots");
        assertTrue(r.err().contains("'lots'"), r::toString);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli.Result r = usageError("key", "list", "--verbose");
        assertTrue(r.err().contains("--verbose"), r::toString);
    }

    @Test
    void groupWithoutSubcommandListsItsCommands() {
        Cli.Result r = usageError("key");
        for (String sub : List.of("create", "public", "sign", "persist", "evict", "list")) {
            assertTrue(r.err().lines().anyMatch(l -> l.startsWith("  " + sub + " ")), () -> sub + " listed: " + r);
        }
    }

    /** Exit 2, nothing on stdout, the first stderr line "tpmauth: ..." and a pointer to --help. */
    private static Cli.Result usageError(String... args) {
        Cli.Result r = Cli.tpmauth(args);
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().startsWith("tpmauth: "), r::toString);
        assertTrue(r.err().contains("--help' for more information"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        return r;
    }
}
