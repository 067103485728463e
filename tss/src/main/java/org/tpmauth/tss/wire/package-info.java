/**
 * The TPM 2.0 wire format: one bounds-checked reader and one writer (Part 1, "Marshalling").
 */
package org.tpmauth.tss.wire;
