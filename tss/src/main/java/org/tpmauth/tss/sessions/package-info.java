/**
 * Authorization sessions: the password session here, HMAC / policy sessions and parameter
 * encryption on the same {@link org.tpmauth.tss.sessions.Session} interface.
 */
package org.tpmauth.tss.sessions;
