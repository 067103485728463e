/**
 * Attestation: quotes, event logs, reference measurements, AK/EK enrollment and the verifier. Built in a later issue.
 */
package org.tpmauth.attestation;
