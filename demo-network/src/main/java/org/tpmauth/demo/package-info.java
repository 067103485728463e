/**
 * The whole tpmauth story on one machine. The core demo lives in the cli module until this module grows.
 */
package org.tpmauth.demo;
