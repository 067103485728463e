package org.tpmauth.attestation.refstate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A reference state: what a good machine's boot looks like. Per PCR either exact allowed values
 * ({@code pcrs}: PCR index to a list of allowed hex digests of {@code bank}), or rules over the parsed
 * events of the boot log ({@code rules}). The JSON form is documented in the README ("Reference
 * states"); unknown fields are refused, so a misspelt rule is not silently ignored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RefState(@JsonProperty("version") int version, @JsonProperty("bank") String bank,
        @JsonProperty("pcrs") SortedMap<Integer, List<String>> pcrs, @JsonProperty("rules") Rules rules) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public RefState {
        pcrs = pcrs == null ? new TreeMap<>() : new TreeMap<>(pcrs);
        rules = rules == null ? Rules.NONE : rules;
        bank = bank == null ? "sha256" : bank;
    }

    /**
     * Rules over parsed events; a null rule is not checked.
     *
     * @param secureBoot     the SecureBoot variable must have this value
     * @param pk             every PK certificate must have one of these SHA-256 fingerprints
     * @param kek            likewise for KEK certificates
     * @param db             likewise for db certificates
     * @param dbxContains    dbx must contain each of these entries (hash or certificate fingerprint)
     * @param bootApps       every EV_EFI_BOOT_SERVICES_APPLICATION digest (sha256) must be one of these
     * @param kernelCmdline  every kernel command line must match this regular expression (whole line)
     * @param minScrtmVersion the S-CRTM (firmware) version must be at least this (numeric parts compared)
     * @param ima            IMA allowlist and excludes, for the IMA log
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rules(@JsonProperty("secure_boot") Boolean secureBoot, @JsonProperty("pk") List<String> pk,
            @JsonProperty("kek") List<String> kek, @JsonProperty("db") List<String> db,
            @JsonProperty("dbx_contains") List<String> dbxContains, @JsonProperty("boot_apps") List<String> bootApps,
            @JsonProperty("kernel_cmdline") String kernelCmdline,
            @JsonProperty("min_scrtm_version") String minScrtmVersion, @JsonProperty("ima") Ima ima) {
        public static final Rules NONE = new Rules(null, null, null, null, null, null, null, null, null);

        /** Digests are compared as lowercase hex, so they are kept that way. */
        public Rules {
            pk = lowercase(pk);
            kek = lowercase(kek);
            db = lowercase(db);
            dbxContains = lowercase(dbxContains);
            bootApps = lowercase(bootApps);
        }

        private static List<String> lowercase(List<String> hex) {
            return hex == null ? null : hex.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList();
        }
    }

    /**
     * @param allowlist file path to allowed sha256 file digests (hex)
     * @param excludes  regular expressions of paths that are not checked
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ima(@JsonProperty("allowlist") Map<String, List<String>> allowlist,
            @JsonProperty("excludes") List<String> excludes) {
    }

    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @throws IllegalArgumentException saying what in the JSON is wrong
     */
    public static RefState fromJson(String json) {
        try {
            RefState r = JSON.readValue(json, RefState.class);
            if (r.version() != 1) {
                throw new IllegalArgumentException("reference state version " + r.version() + " is not 1");
            }
            return r;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a reference state: " + e.getOriginalMessage());
        }
    }
}
