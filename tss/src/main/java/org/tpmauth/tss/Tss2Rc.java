package org.tpmauth.tss;

/**
 * TSS2_RC codes of the TCG TSS 2.0 software stack (TSS 2.0 Overview and Common Structures,
 * "TSS2_RC"; tss2_common.h): the layer that produced the code in bits 16-23 (TSS2_RC_LAYER_MASK),
 * a TSS2_BASE_RC_* code in bits 0-15. {@link TpmRc} decodes layer 0 (the TPM itself) and the
 * resource manager layers, which relay TPM-format codes; this class names the rest.
 */
final class Tss2Rc {
    private Tss2Rc() {
    }

    private static final int LAYER_SHIFT = 16;
    /** Base codes from here up are implementation-specific (TSS2_LAYER_IMPLEMENTATION_SPECIFIC_OFFSET). */
    private static final int IMPLEMENTATION_SPECIFIC = 0xF800;

    /** The layers of tss2_common.h (TSS2_*_RC_LAYER). */
    private enum Layer {
        TPM(0, "TPM", "the TPM", true),
        FAPI(6, "FAPI", "the TSS feature API layer (FAPI)", false),
        ESYS(7, "ESYS", "the TSS enhanced system API layer (ESAPI)", false),
        SYS(8, "SYS", "the TSS system API layer (SAPI)", false),
        MU(9, "MU", "the TSS marshalling layer (MU)", false),
        TCTI(10, "TCTI", "the TSS transport layer (TCTI)", false),
        // the Linux kernel's /dev/tpmrm0 and tpm2-abrmd send TPM-format codes with layer 11
        RESMGR(11, "RESMGR", "the resource manager (/dev/tpmrm0 or tpm2-abrmd)", true),
        RESMGR_TPM(12, "RESMGR_TPM", "the resource manager", true),
        DRIVER(13, "DRIVER", "the TPM driver layer", false);

        final int number;
        final String prefix;
        final String description;
        final boolean tpmFormat;

        Layer(int number, String prefix, String description, boolean tpmFormat) {
            this.number = number;
            this.prefix = prefix;
            this.description = description;
            this.tpmFormat = tpmFormat;
        }

        private static final Layer[] ALL = values();

        static Layer of(int rc) {
            if ((rc >>> 24) != 0) {
                return null;
            }
            int number = rc >>> LAYER_SHIFT;
            for (Layer l : ALL) { // every TPM response code asks (TpmRc.base): no values() copy each time
                if (l.number == number) {
                    return l;
                }
            }
            return null;
        }
    }

    /** TSS2_BASE_RC_*: the code is the ordinal + 1. */
    private enum Base {
        GENERAL_FAILURE("unspecified failure in the TSS"),
        NOT_IMPLEMENTED("the function is not implemented by this TSS"),
        BAD_CONTEXT("a context structure is bad (a caller bug)"),
        ABI_MISMATCH("the TSS libraries do not match each other (ABI mismatch); install matching tpm2-tss"
                + " packages"),
        BAD_REFERENCE("a required pointer was NULL (a caller bug)"),
        INSUFFICIENT_BUFFER("a buffer is too small"),
        BAD_SEQUENCE("functions were called in the wrong order"),
        NO_CONNECTION("cannot connect to the TPM; check that the TPM device exists or that swtpm /"
                + " tpm2-abrmd is running"),
        TRY_AGAIN("the operation timed out; call it again"),
        IO_ERROR("input/output error while talking to the TPM"),
        BAD_VALUE("a parameter has a bad value"),
        NOT_PERMITTED("operation not permitted; check the access rights to /dev/tpmrm0 (usually the tss"
                + " group)"),
        INVALID_SESSIONS("sessions were sent that the command does not take, or not as many as it takes"),
        NO_DECRYPT_PARAM("parameter encryption was requested but the command has no encryptable first"
                + " parameter"),
        NO_ENCRYPT_PARAM("response encryption was requested but the response has no encryptable first"
                + " parameter"),
        BAD_SIZE("a parameter has the wrong size"),
        MALFORMED_RESPONSE("the TPM's response is malformed"),
        INSUFFICIENT_CONTEXT("the context is not large enough"),
        INSUFFICIENT_RESPONSE("the TPM's response is too short"),
        INCOMPATIBLE_TCTI("unknown or unusable TCTI version"),
        NOT_SUPPORTED("the functionality is not supported"),
        BAD_TCTI_STRUCTURE("the TCTI context is bad"),
        MEMORY("out of memory"),
        BAD_TR("the ESYS_TR resource handle is bad"),
        MULTIPLE_DECRYPT_SESSIONS("more than one session has the decrypt attribute"),
        MULTIPLE_ENCRYPT_SESSIONS("more than one session has the encrypt attribute"),
        RSP_AUTH_FAILED("the TPM's response HMAC did not verify (wrong session key or a tampered"
                + " response)"),
        NO_CONFIG("no FAPI configuration is available (fapi-config.json)"),
        BAD_PATH("the key path is malformed"),
        NOT_DELETABLE("the object cannot be deleted"),
        PATH_ALREADY_EXISTS("an object already exists at this path"),
        KEY_NOT_FOUND("the key was not found"),
        SIGNATURE_VERIFICATION_FAILED("the signature does not verify"),
        HASH_MISMATCH("the hashes do not match"),
        KEY_NOT_DUPLICABLE("the key cannot be duplicated"),
        PATH_NOT_FOUND("the path does not exist"),
        NO_CERT("no certificate is available"),
        NO_PCR("no PCR is available"),
        PCR_NOT_RESETTABLE("the PCR cannot be reset"),
        BAD_TEMPLATE("the key template is bad"),
        AUTHORIZATION_FAILED("the authorization failed"),
        AUTHORIZATION_UNKNOWN("the authorization is unknown"),
        NV_NOT_READABLE("the NV index is not readable"),
        NV_TOO_SMALL("the NV index is too small"),
        NV_NOT_WRITEABLE("the NV index is not writable"),
        POLICY_UNKNOWN("the policy is unknown"),
        NV_WRONG_TYPE("the NV index has the wrong type"),
        NAME_ALREADY_EXISTS("the name already exists"),
        NO_TPM("no TPM is available"),
        BAD_KEY("the key is bad"),
        NO_HANDLE("no handle was provided"),
        NOT_PROVISIONED("FAPI is not provisioned; run tss2_provision"),
        ALREADY_PROVISIONED("FAPI is already provisioned"),
        CALLBACK_NULL("a required callback is not set");

        final String text;

        Base(String text) {
            this.text = text;
        }

        static Base of(int rc) {
            int code = rc & 0xFFFF;
            return code >= 1 && code <= values().length ? values()[code - 1] : null;
        }
    }

    /** Layer 0 and the resource manager layers carry TPM-format codes. */
    static boolean isTpmFormat(int rc) {
        Layer layer = Layer.of(rc);
        return layer != null && layer.tpmFormat;
    }

    /** ", relayed by the resource manager" for a TPM-format code with a resource manager layer. */
    static String relayedBy(int rc) {
        Layer layer = Layer.of(rc);
        return layer == null || layer == Layer.TPM ? "" : ", relayed by " + layer.description;
    }

    /**
     * "TSS2_TCTI_RC_IO_ERROR", or a description with the hex value for codes outside tss2_common.h.
     * TpmRc names the TPM-format codes it can decode, so those reaching here set reserved bits.
     */
    static String name(int rc) {
        Layer layer = Layer.of(rc);
        if (layer == null) {
            return String.format("unknown response code 0x%08x", rc);
        }
        if (layer.tpmFormat) {
            return String.format("unknown TPM_RC 0x%08x", rc);
        }
        Base base = Base.of(rc);
        return base != null ? "TSS2_" + layer.prefix + "_RC_" + base.name()
                : String.format("TSS2_%s_RC 0x%08x", layer.prefix, rc);
    }

    /** What follows "failed: " for a code TpmRc cannot decode: name, layer, what happened. */
    static String explain(int rc) {
        Layer layer = Layer.of(rc);
        if (layer == null) {
            return name(rc) + ": neither a TPM 2.0 nor a known TSS2 response code";
        }
        if (layer.tpmFormat) {
            return name(rc) + ": reserved bits are set, so this is not a TPM 2.0 response code";
        }
        Base base = Base.of(rc);
        int code = rc & 0xFFFF;
        String text = base != null ? base.text
                : code >= IMPLEMENTATION_SPECIFIC ? String.format("implementation-specific code 0x%04x", code)
                : String.format("base code %d is not defined by the TSS 2.0 specification", code);
        return name(rc) + " from " + layer.description + ", not the TPM: " + text;
    }
}
