package org.tpmauth.cli;

/** Placeholder entry point until the CLI lands. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("tpmauth: the CLI is not built yet");
        System.exit(1);
    }
}
