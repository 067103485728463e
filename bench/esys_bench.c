/*
 * esys_bench: the operations of `tpmauth bench`, through the C stack (tpm2-tss ESAPI), on the same
 * TPM. Prints one line per operation: name median_us client_cpu_us (medians; client CPU is this
 * process's CPU time per operation, CLOCK_PROCESS_CPUTIME_ID).
 *
 *   esys_bench TCTI ITERATIONS      e.g. esys_bench swtpm:host=127.0.0.1,port=2321 200
 *
 * Keys are created for the run and flushed after; at most three objects are loaded at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "bench_time.h"

#define MAX_WARMUP 50

static ESYS_CONTEXT *ctx;
static ESYS_TR primary = ESYS_TR_NONE, ec_key = ESYS_TR_NONE, rsa_key = ESYS_TR_NONE, session = ESYS_TR_NONE;
static TPM2B_PRIVATE *ec_private;
static TPM2B_PUBLIC *ec_public;
static TPMT_SIG_SCHEME sign_scheme;
static const TPM2B_DIGEST digest = {.size = 32, .buffer = {1}};
static const TPMT_TK_HASHCHECK no_ticket = {.tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL};
static const TPML_PCR_SELECTION pcr_0_7 = {.count = 1, .pcrSelections = {{.hash = TPM2_ALG_SHA256,
    .sizeofSelect = 3, .pcrSelect = {0xff, 0, 0}}}};

#define BASE (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN \
    | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA)

/* The ECC P-256 SRK template (TCG provisioning guidance), the same as tpmauth's storage primary. */
static const TPM2B_PUBLIC srk_template = {.publicArea = {.type = TPM2_ALG_ECC, .nameAlg = TPM2_ALG_SHA256,
    .objectAttributes = BASE | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT,
    .parameters.eccDetail = {.symmetric = {.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB},
        .scheme.scheme = TPM2_ALG_NULL, .curveID = TPM2_ECC_NIST_P256, .kdf.scheme = TPM2_ALG_NULL}}};

/* Signing keys as tpmauth makes them: sign and decrypt, NULL scheme, no password (noDA). */
static const TPM2B_PUBLIC ec_template = {.publicArea = {.type = TPM2_ALG_ECC, .nameAlg = TPM2_ALG_SHA256,
    .objectAttributes = BASE | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT,
    .parameters.eccDetail = {.symmetric.algorithm = TPM2_ALG_NULL, .scheme.scheme = TPM2_ALG_NULL,
        .curveID = TPM2_ECC_NIST_P256, .kdf.scheme = TPM2_ALG_NULL}}};
static const TPM2B_PUBLIC rsa_template = {.publicArea = {.type = TPM2_ALG_RSA, .nameAlg = TPM2_ALG_SHA256,
    .objectAttributes = BASE | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT,
    .parameters.rsaDetail = {.symmetric.algorithm = TPM2_ALG_NULL, .scheme.scheme = TPM2_ALG_NULL,
        .keyBits = 2048, .exponent = 0}}};

static void check(TSS2_RC rc, const char *what) {
    if (rc != TSS2_RC_SUCCESS) {
        fprintf(stderr, "esys_bench: %s: %s\n", what, Tss2_RC_Decode(rc));
        exit(1);
    }
}


/* What CreatePrimary and Create take and return besides the key: empty inputs, creation evidence freed. */
static const TPM2B_SENSITIVE_CREATE no_sensitive;
static const TPM2B_DATA no_outside_info;
static const TPML_PCR_SELECTION no_creation_pcr;
struct creation {
    TPM2B_CREATION_DATA *data;
    TPM2B_DIGEST *hash;
    TPMT_TK_CREATION *ticket;
};

static void free_creation(struct creation *c) {
    Esys_Free(c->data);
    Esys_Free(c->hash);
    Esys_Free(c->ticket);
}

static ESYS_TR create_primary(void) {
    TPM2B_PUBLIC *pub;
    struct creation c;
    ESYS_TR handle;
    check(Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &no_sensitive,
            &srk_template, &no_outside_info, &no_creation_pcr, &handle, &pub, &c.data, &c.hash, &c.ticket),
            "CreatePrimary");
    Esys_Free(pub);
    free_creation(&c);
    return handle;
}

static void create_key(const TPM2B_PUBLIC *template, TPM2B_PRIVATE **priv, TPM2B_PUBLIC **pub) {
    struct creation c;
    check(Esys_Create(ctx, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &no_sensitive, template,
            &no_outside_info, &no_creation_pcr, priv, pub, &c.data, &c.hash, &c.ticket), "Create");
    free_creation(&c);
}

static ESYS_TR load(TPM2B_PRIVATE *priv, TPM2B_PUBLIC *pub) {
    ESYS_TR handle;
    check(Esys_Load(ctx, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub, &handle), "Load");
    return handle;
}

static void flush(ESYS_TR handle) {
    check(Esys_FlushContext(ctx, handle), "FlushContext");
}

static void sign_with(ESYS_TR key, ESYS_TR auth, TPM2_ALG_ID scheme) {
    TPMT_SIG_SCHEME s = {.scheme = scheme, .details.any.hashAlg = TPM2_ALG_SHA256};
    TPMT_SIGNATURE *signature;
    check(Esys_Sign(ctx, key, auth, ESYS_TR_NONE, ESYS_TR_NONE, &digest, &s, &no_ticket, &signature), "Sign");
    Esys_Free(signature);
}

/* The operations; each returns what its untimed clean-up flushes, or ESYS_TR_NONE. */
static ESYS_TR op_getrandom(void) {
    TPM2B_DIGEST *random;
    check(Esys_GetRandom(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 32, &random), "GetRandom");
    Esys_Free(random);
    return ESYS_TR_NONE;
}
static ESYS_TR op_createprimary(void) { return create_primary(); }
static ESYS_TR op_load(void) { return load(ec_private, ec_public); }
static ESYS_TR op_sign(void) { sign_with(ec_key, ESYS_TR_PASSWORD, TPM2_ALG_ECDSA); return ESYS_TR_NONE; }
static ESYS_TR op_rsassa(void) { sign_with(rsa_key, ESYS_TR_PASSWORD, TPM2_ALG_RSASSA); return ESYS_TR_NONE; }
static ESYS_TR op_rsapss(void) { sign_with(rsa_key, ESYS_TR_PASSWORD, TPM2_ALG_RSAPSS); return ESYS_TR_NONE; }
static ESYS_TR op_load_sign_flush(void) {
    ESYS_TR key = load(ec_private, ec_public);
    sign_with(key, ESYS_TR_PASSWORD, TPM2_ALG_ECDSA);
    flush(key);
    return ESYS_TR_NONE;
}
static ESYS_TR op_secure_sign(void) { sign_with(ec_key, session, TPM2_ALG_ECDSA); return ESYS_TR_NONE; }
static ESYS_TR op_quote(void) {
    TPM2B_DATA nonce = {.size = 32, .buffer = {1}};
    TPM2B_ATTEST *quoted;
    TPMT_SIGNATURE *signature;
    check(Esys_Quote(ctx, ec_key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &nonce, &sign_scheme, &pcr_0_7,
            &quoted, &signature), "Quote");
    Esys_Free(quoted);
    Esys_Free(signature);
    return ESYS_TR_NONE;
}
static ESYS_TR op_pcr_read(void) {
    UINT32 counter;
    TPML_PCR_SELECTION *selection;
    TPML_DIGEST *values;
    check(Esys_PCR_Read(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pcr_0_7, &counter, &selection, &values),
            "PCR_Read");
    Esys_Free(selection);
    Esys_Free(values);
    return ESYS_TR_NONE;
}

static int iterations;

static void measure(const char *name, ESYS_TR (*op)(void)) {
    long long *wall = calloc(iterations, sizeof *wall), *cpu = calloc(iterations, sizeof *cpu);
    int warmup = iterations < MAX_WARMUP ? iterations : MAX_WARMUP;
    for (int i = 0; i < warmup; i++) {
        ESYS_TR created = op();
        if (created != ESYS_TR_NONE) flush(created);
    }
    for (int i = 0; i < iterations; i++) {
        long long cpu0 = now(CLOCK_PROCESS_CPUTIME_ID), wall0 = now(CLOCK_MONOTONIC);
        ESYS_TR created = op();
        wall[i] = now(CLOCK_MONOTONIC) - wall0;
        cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        if (created != ESYS_TR_NONE) flush(created);
    }
    printf("%s %.1f %.1f\n", name, median_us(wall, iterations), median_us(cpu, iterations));
    fflush(stdout);
    free(wall);
    free(cpu);
}

/* A salted HMAC session (salt encrypted to the SRK) with AES-128-CFB parameter encryption. */
static ESYS_TR start_secure_session(void) {
    TPMT_SYM_DEF aes = {.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB};
    ESYS_TR s;
    check(Esys_StartAuthSession(ctx, primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
            TPM2_SE_HMAC, &aes, TPM2_ALG_SHA256, &s), "StartAuthSession");
    /* for TPM2_Sign only the digest is encrypted: its response starts with a TPMT_SIGNATURE, not a TPM2B */
    check(Esys_TRSess_SetAttributes(ctx, s, TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION,
            0xff), "TRSess_SetAttributes");
    return s;
}

int main(int argc, char **argv) {
    if (argc != 3 || (iterations = atoi(argv[2])) < 1) {
        fprintf(stderr, "usage: esys_bench TCTI ITERATIONS\n");
        return 2;
    }
    TSS2_TCTI_CONTEXT *tcti;
    check(Tss2_TctiLdr_Initialize(argv[1], &tcti), "Tss2_TctiLdr_Initialize");
    check(Esys_Initialize(&ctx, tcti, NULL), "Esys_Initialize");
    TSS2_RC rc = Esys_Startup(ctx, TPM2_SU_CLEAR);
    if (rc != TPM2_RC_INITIALIZE) check(rc, "Startup");
    sign_scheme = (TPMT_SIG_SCHEME){.scheme = TPM2_ALG_ECDSA, .details.ecdsa.hashAlg = TPM2_ALG_SHA256};

    printf("# esys_bench: %d iterations, medians in microseconds\n# name median_us client_cpu_us\n", iterations);
    measure("getrandom32", op_getrandom);
    measure("createprimary_ecc", op_createprimary);
    primary = create_primary();
    create_key(&ec_template, &ec_private, &ec_public);
    measure("load_ecc", op_load);
    ec_key = load(ec_private, ec_public);
    measure("sign_ecdsa_p256", op_sign);
    TPM2B_PRIVATE *rsa_private;
    TPM2B_PUBLIC *rsa_public;
    fprintf(stderr, "esys_bench: creating an RSA-2048 key\n");
    create_key(&rsa_template, &rsa_private, &rsa_public);
    rsa_key = load(rsa_private, rsa_public);
    measure("sign_rsassa2048", op_rsassa);
    measure("sign_rsapss2048", op_rsapss);
    flush(rsa_key);
    measure("load_sign_flush_ecdsa", op_load_sign_flush);
    session = start_secure_session();
    measure("sign_ecdsa_secure_session", op_secure_sign);
    flush(session);
    measure("quote_pcr0_7", op_quote);
    measure("pcr_read_8", op_pcr_read);
    flush(ec_key);
    flush(primary);
    Esys_Free(ec_private);
    Esys_Free(ec_public);
    Esys_Free(rsa_private);
    Esys_Free(rsa_public);
    Esys_Finalize(&ctx);
    Tss2_TctiLdr_Finalize(&tcti);
    return 0;
}
