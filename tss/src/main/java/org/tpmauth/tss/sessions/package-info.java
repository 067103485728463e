/**
 * Authorization sessions on the {@link org.tpmauth.tss.sessions.Session} interface: the password
 * session, and {@link org.tpmauth.tss.sessions.HmacSession} (salted to an RSA or ECC key, bound or
 * not, with AES-CFB or XOR parameter encryption) with its key derivation ({@link
 * org.tpmauth.tss.sessions.Kdf}). The {@link org.tpmauth.tss.Tpm} facade uses a salted HMAC session
 * by default for every command that carries a secret. A long-running program can have its salts made
 * ahead of time ({@link org.tpmauth.tss.sessions.PreparedSalts}, {@link org.tpmauth.tss.Tpm#prepareSalts}).
 */
package org.tpmauth.tss.sessions;
