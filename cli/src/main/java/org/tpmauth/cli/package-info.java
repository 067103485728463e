/**
 * The {@code tpmauth} command line.
 */
package org.tpmauth.cli;
