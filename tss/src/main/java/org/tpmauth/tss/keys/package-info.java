/**
 * Keys: templates, creation, loading, signing, TSS2 PRIVATE KEY files and persistent handles.
 */
package org.tpmauth.tss.keys;
