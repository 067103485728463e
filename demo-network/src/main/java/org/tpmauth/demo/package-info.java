/**
 * The whole tpmauth story on one machine: the embedded core demo here, the same story on real programs in
 * network namespaces in {@link org.tpmauth.demo.network}.
 */
package org.tpmauth.demo;
