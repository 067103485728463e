/**
 * Keys by path in the tpm2-tss FAPI keystore ({@link org.tpmauth.tss.fapi.FapiKeystore}): its
 * configuration and profiles, paths such as {@code /HS/SRK/vpn}, and object.json files read and
 * written with unknown fields kept, so that tpmauth and the {@code tss2_*} tools share keys.
 */
package org.tpmauth.tss.fapi;
