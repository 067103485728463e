/**
 * Policies computed in software: the policy digests a TPM trial session would give (TPM 2.0 Part 3,
 * "Policy Commands"), for objects' authPolicy.
 */
package org.tpmauth.tss.policy;
