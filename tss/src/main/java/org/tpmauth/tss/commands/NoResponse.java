package org.tpmauth.tss.commands;

/** The response of a command that returns nothing but success. */
public record NoResponse() {
    public static final NoResponse INSTANCE = new NoResponse();
}
