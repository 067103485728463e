/**
 * TPM 2.0 structures (Part 2) as records, unions as sealed interfaces selected by their tag, and the
 * constants (TPM_ALG_ID, TPM_ECC_CURVE, TPM_RH, TPM_ST, TPMA_OBJECT). Each type names its spec
 * structure in its Javadoc, so a search for TPMT_PUBLIC finds {@code TpmtPublic}.
 */
package org.tpmauth.tss.types;
