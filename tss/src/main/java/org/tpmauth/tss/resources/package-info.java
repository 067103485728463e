/**
 * Resource management: {@link org.tpmauth.tss.resources.ResourceManager}, a transport decorator
 * that lets one user keep any number of transient objects and sessions on a TPM with a few slots,
 * as tpm2-abrmd and the kernel's /dev/tpmrm0 do. {@link org.tpmauth.tss.Tpm#open} uses it.
 */
package org.tpmauth.tss.resources;
