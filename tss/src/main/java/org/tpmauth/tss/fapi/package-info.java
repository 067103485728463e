/**
 * Keys by path in the tpm2-tss FAPI keystore ({@link org.tpmauth.tss.fapi.FapiKeystore}): its
 * configuration and profiles, paths such as {@code /HS/SRK/vpn}, {@code /nv/Owner/name},
 * {@code /ext/name} and {@code /policy/name}, and object.json files read and written with unknown
 * fields kept, so that tpmauth and the {@code tss2_*} tools share keys, NV indices, public keys and
 * policies.
 */
package org.tpmauth.tss.fapi;
