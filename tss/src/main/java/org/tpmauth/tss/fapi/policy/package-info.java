/**
 * The TCG JSON policy language as tpm2-tss FAPI reads it: parsing
 * ({@link org.tpmauth.tss.fapi.policy.JsonPolicy}), digests computed in software, and satisfying a
 * policy in a policy session ({@link org.tpmauth.tss.fapi.policy.PolicyRunner}).
 */
package org.tpmauth.tss.fapi.policy;
