package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * key create / public / sign against a real swtpm, each signature checked by openssl. The CLI
 * opens its own connection per run; the extension's shared Tpm is not used here.
 */
class KeyCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    /** Keys made once per class (RSA key generation in swtpm takes a while): type -> key file. */
    private static final Map<String, Path> KEYS = new HashMap<>();

    private static Path message;

    @BeforeAll
    static void writeMessage() throws IOException {
        message = dir.resolve("message.txt");
        Files.writeString(message, "a file to sign with a key that never leaves the TPM\n");
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    /** The key file of a type, created on first use. */
    private static synchronized Path key(String type) {
        return KEYS.computeIfAbsent(type, t -> {
            Path file = dir.resolve(t + ".pem");
            Cli.Result r = tpmauth("key", "create", "--type", t, "--out", file.toString()).ok();
            assertEquals("created " + t + " key " + file, r.out().strip());
            return file;
        });
    }

    /** The key's public key, written by key public --out. */
    private static Path publicKey(Path key) {
        Path pub = dir.resolve(key.getFileName() + ".pub");
        if (!Files.exists(pub)) {
            assertEquals("", tpmauth("key", "public", "--key", key.toString(), "--out", pub.toString()).ok().out());
        }
        return pub;
    }

    private static Cli.Result openssl(String... args) {
        return Cli.tool(dir, Stream.concat(Stream.of("openssl"), Arrays.stream(args)).toArray(String[]::new));
    }

    /** {@code openssl dgst -DIGEST -verify pub [extra...] -signature sig file}: whether openssl says Verified OK. */
    private static boolean opensslVerifies(Path pub, String digest, List<String> extra, Path sig, Path file) {
        List<String> args = new ArrayList<>(List.of("dgst", "-" + digest, "-verify", pub.toString()));
        args.addAll(extra);
        args.addAll(List.of("-signature", sig.toString(), file.toString()));
        Cli.Result r = openssl(args.toArray(String[]::new));
        boolean ok = r.code() == 0 && r.out().strip().equals("Verified OK");
        assertTrue(ok || r.out().contains("Verification failure") || r.err().contains("Verification failure"),
                () -> "openssl neither verified nor rejected (a broken command?): " + r);
        return ok;
    }

    /** The -sigopt arguments for PSS as `key sign --help` tells the user to write them. */
    private static List<String> pssSigoptsFromHelp() {
        String help = Cli.tpmauth("key", "sign", "--help").ok().out();
        Matcher m = Pattern.compile("(-sigopt rsa_padding_mode:pss(?: -sigopt \\S+)*)").matcher(help);
        assertTrue(m.find(), () -> "key sign --help explains PSS verification: " + help);
        return List.of(m.group(1).replaceAll("[).]+$", "").split(" "));
    }

    @ParameterizedTest
    @CsvSource({"ec-p256, prime256v1", "ec-p384, secp384r1", "rsa-2048, 2048 bit", "rsa-3072, 3072 bit"})
    void createWritesAnOwnerOnlyKeyFileWhosePublicKeyOpensslReads(String type, String opensslSays) throws Exception {
        Path key = key(type);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(key), "a key file is for its owner only");
        assertTrue(Files.readString(key).startsWith("-----BEGIN TSS2 PRIVATE KEY-----\n"));
        assertTrue(Tss2KeyFile.read(key).emptyAuth().orElseThrow(), "no password: emptyAuth TRUE");
        try (var siblings = Files.list(dir)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }

        Path pub = publicKey(key);
        Cli.Result text = openssl("pkey", "-pubin", "-in", pub.toString(), "-noout", "-text").succeeded();
        assertTrue(text.out().contains(opensslSays), text::toString);
        // without --out, the same PEM goes to standard output
        assertEquals(Files.readString(pub), tpmauth("key", "public", "--key", key.toString()).ok().out());
    }

    static Stream<Arguments> signatures() {
        List<Arguments> all = new ArrayList<>();
        for (String digest : List.of("sha256", "sha384", "sha512")) {
            all.add(Arguments.of("ec-p256", "ecdsa", digest));
            all.add(Arguments.of("ec-p384", "ecdsa", digest));
            all.add(Arguments.of("rsa-2048", "pkcs1", digest));
            all.add(Arguments.of("rsa-2048", "pss", digest));
        }
        all.add(Arguments.of("rsa-3072", "pss", "sha384"));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("signatures")
    void signatureVerifiesWithOpensslAsTheHelpSays(String type, String scheme, String digest) throws Exception {
        Path key = key(type);
        Path sig = dir.resolve(type + "-" + scheme + "-" + digest + ".sig");
        assertEquals("", tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(),
                "--digest", digest, "--scheme", scheme, "--out", sig.toString()).ok().out());
        List<String> sigopts = scheme.equals("pss") ? pssSigoptsFromHelp() : List.of();
        assertTrue(opensslVerifies(publicKey(key), digest, sigopts, sig, message), "openssl verifies");

        Path tampered = dir.resolve("tampered-" + sig.getFileName());
        byte[] data = Files.readAllBytes(message);
        data[0] ^= 1;
        Files.write(tampered, data);
        assertFalse(opensslVerifies(publicKey(key), digest, sigopts, sig, tampered), "a changed file is refused");
        if (!scheme.equals("ecdsa")) {
            int modulusBytes = Integer.parseInt(type.substring(4)) / 8;
            assertEquals(modulusBytes, Files.size(sig), "RSA signatures are raw, as long as the modulus");
        }
    }

    /** A scheme fixed at creation (for programs that sign with TPM_ALG_NULL): the default, and the only one. */
    @Test
    void aKeyWithAFixedSchemeSignsWithItAndRefusesAnotherClearly() {
        Path key = dir.resolve("fixed.pem");
        assertTrue(tpmauth("key", "create", "--type", "ec-p256", "--scheme", "ecdsa-sha256", "--out", key.toString())
                .ok().out().contains("(scheme ecdsa-sha256)"));
        Path sig = dir.resolve("fixed.sig");
        tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(), "--out", sig.toString()).ok();
        assertTrue(opensslVerifies(publicKey(key), "sha256", List.of(), sig, message));
        String error = tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(), "--digest", "sha384",
                "--out", dir.resolve("fixed-384.sig").toString()).fails();
        assertTrue(error.contains("this key signs with ecdsa-sha256 only") && error.contains("not ecdsa with sha384"),
                error);

        Path misfit = dir.resolve("misfit.pem");
        error = tpmauth("key", "create", "--type", "ec-p256", "--scheme", "rsassa-sha256", "--out", misfit.toString())
                .fails();
        assertTrue(error.contains("scheme rsassa-sha256 does not fit a ec-p256 key"), error);
        error = tpmauth("key", "create", "--type", "ec-p256", "--scheme", "ecdsa", "--out", misfit.toString()).fails();
        assertTrue(error.contains("unknown key scheme 'ecdsa'; use one of ecdsa-sha256"), error);
        assertFalse(Files.exists(misfit));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec-p256", "rsa-2048"})
    void defaultSchemeAndDigestVerifyWithThePlainOpensslCommand(String type) {
        Path key = key(type);
        Path sig = dir.resolve(type + "-default.sig");
        tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(), "--out", sig.toString()).ok();
        // the command the help text shows first, as is
        assertTrue(opensslVerifies(publicKey(key), "sha256", List.of(), sig, message));
    }

    @Test
    void pssHelpTextIsTheOpenssl3Command() {
        assertEquals(List.of("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"), pssSigoptsFromHelp());
        String help = Cli.tpmauth("key", "sign", "--help").ok().out();
        assertTrue(help.contains("openssl dgst -sha256 -verify pub.pem -signature sig.der FILE"), help);
    }

    @Test
    void passwordProtectedKey() throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "correct horse\n"); // as `echo ... > F` writes it
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "battery staple\n");
        Path key = dir.resolve("with-password.pem");
        Cli.Result created = tpmauth("key", "create", "--type", "ec-p256", "--password-file", password.toString(),
                "--out", key.toString()).ok();
        assertTrue(created.out().contains("password protected"), created::toString);
        assertFalse(Tss2KeyFile.read(key).emptyAuth().orElse(false), "emptyAuth is not TRUE for a password key");
        Path pub = publicKey(key); // reading the public part needs no password

        Path sig = dir.resolve("with-password.sig");
        tpmauth("key", "sign", "--key", key.toString(), "--password-file", password.toString(),
                "--in", message.toString(), "--out", sig.toString()).ok();
        assertTrue(opensslVerifies(pub, "sha256", List.of(), sig, message));

        Files.delete(sig);
        try {
            String error = tpmauth("key", "sign", "--key", key.toString(), "--password-file", wrong.toString(),
                    "--in", message.toString(), "--out", sig.toString()).fails();
            assertTrue(error.contains("wrong password"), error);
            assertFalse(error.contains("battery") || error.contains("correct horse"), "no password in the message");

            error = tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(),
                    "--out", sig.toString()).fails();
            assertTrue(error.contains("password protected") && error.contains("--password-file"), error);
            assertFalse(Files.exists(sig), "no signature file after a failure");
        } finally {
            resetDictionaryAttackCounter();
        }
    }

    /** Each wrong password counts against swtpm's lockout (3 tries); clear it (empty lockout auth). */
    private static void resetDictionaryAttackCounter() {
        SWTPM.disconnect();
        Cli.tool(dir, "tpm2_dictionarylockout", "-T", SWTPM.tcti(), "-c").succeeded();
    }

    @Test
    void passwordLongerThanTheTpmAllowsIsRefused() throws Exception {
        Path password = dir.resolve("long-password");
        Files.writeString(password, "x".repeat(65));
        Path key = dir.resolve("long-password.pem");
        String error = tpmauth("key", "create", "--password-file", password.toString(), "--out", key.toString()).fails();
        assertTrue(error.contains("64-byte"), error);
        assertFalse(Files.exists(key));
    }

    @Test
    void existingOutputIsKeptWithoutForce() throws Exception {
        Path key = dir.resolve("existing.pem");
        Files.writeString(key, "precious");
        String error = tpmauth("key", "create", "--out", key.toString()).fails();
        assertTrue(error.contains("exists") && error.contains("--force"), error);
        assertEquals("precious", Files.readString(key), "not touched");

        tpmauth("key", "create", "--force", "--out", key.toString()).ok();
        assertTrue(Files.readString(key).startsWith("-----BEGIN TSS2 PRIVATE KEY-----"));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(key));
    }

    @Test
    void createUnderAPersistentStorageParent() throws Exception {
        SWTPM.disconnect();
        String tcti = SWTPM.tcti();
        Cli.tool(dir, "tpm2_createprimary", "-T", tcti, "-C", "o", "-c", "primary.ctx").succeeded();
        Cli.tool(dir, "tpm2_evictcontrol", "-T", tcti, "-C", "o", "-c", "primary.ctx", "0x81000042").succeeded();
        // without a resource manager the tools leave their objects loaded, taking swtpm's 3 slots
        Cli.tool(dir, "tpm2_flushcontext", "-T", tcti, "-t").succeeded();
        Path key = dir.resolve("under-persistent.pem");
        tpmauth("key", "create", "--type", "ec-p256", "--parent", "0x81000042", "--out", key.toString()).ok();
        assertEquals(0x81000042, Tss2KeyFile.read(key).parent());
        Path sig = dir.resolve("under-persistent.sig");
        tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(), "--out", sig.toString()).ok();
        assertTrue(opensslVerifies(publicKey(key), "sha256", List.of(), sig, message));

        tpmauth("key", "evict", "--handle", "0x81000042").ok();
        String error = tpmauth("key", "sign", "--key", key.toString(), "--in", message.toString(),
                "--out", sig.toString()).fails();
        assertTrue(error.contains("0x81000042") && error.contains("not persisted"), error);
    }

    @ParameterizedTest
    @CsvSource({"ec-p256, pss", "ec-p256, pkcs1", "rsa-2048, ecdsa"})
    void schemeThatDoesNotFitTheKeyIsRefused(String type, String scheme) {
        Path sig = dir.resolve("misfit.sig");
        String error = tpmauth("key", "sign", "--key", key(type).toString(), "--in", message.toString(),
                "--scheme", scheme, "--out", sig.toString()).fails();
        assertTrue(error.contains("scheme " + scheme) && error.contains("does not fit"), error);
        assertFalse(Files.exists(sig));
    }

    @ParameterizedTest
    @CsvSource({"--scheme, rsassa, 'unknown signature scheme'", "--digest, sha1, 'SHA-1'",
        "--digest, md5, 'unknown hash algorithm'"})
    void unsupportedSchemeOrDigestIsRefused(String option, String value, String says) {
        String error = tpmauth("key", "sign", "--key", key("ec-p256").toString(), "--in", message.toString(),
                option, value, "--out", dir.resolve("unsupported.sig").toString()).fails();
        assertTrue(error.contains(says), error);
    }

    @Test
    void unknownKeyTypeNamesTheValidOnes() {
        String error = tpmauth("key", "create", "--type", "ec-p521", "--out", dir.resolve("p521.pem").toString()).fails();
        assertTrue(error.contains("ec-p521") && error.contains("ec-p256") && error.contains("rsa-3072"), error);
    }

    @Test
    void missingFilesAreNamed() {
        String error = tpmauth("key", "sign", "--key", dir.resolve("absent.pem").toString(),
                "--in", message.toString(), "--out", dir.resolve("x.sig").toString()).fails();
        assertTrue(error.contains("absent.pem"), error);
        error = tpmauth("key", "sign", "--key", key("ec-p256").toString(), "--in", dir.resolve("absent.txt").toString(),
                "--out", dir.resolve("x.sig").toString()).fails();
        assertTrue(error.contains("absent.txt"), error);
    }

    /** Broken key files: name -> content, made from a good ec-p256 key file. */
    private static Map<String, byte[]> brokenKeyFiles() throws IOException {
        String pem = Files.readString(key("ec-p256"));
        Tss2KeyFile good = Tss2KeyFile.fromPem(pem);
        byte[] der = good.toDer();
        byte[] garbage = new byte[300];
        new Random(42).nextBytes(garbage);
        byte[] pubkey = good.pubkey();
        pubkey[1] += 8; // the TPM2B_PUBLIC claims more bytes than it has
        byte[] privkey = good.privkey();
        privkey[privkey.length / 2] ^= 0x55; // the TPM's integrity check must catch this
        Map<String, byte[]> broken = new HashMap<>();
        broken.put("empty", new byte[0]);
        broken.put("truncated-pem", pem.substring(0, pem.length() / 2).getBytes(StandardCharsets.US_ASCII));
        broken.put("truncated-der", Arrays.copyOf(der, der.length / 2));
        broken.put("garbage", garbage);
        broken.put("garbage-in-pem", pem(garbage));
        broken.put("wrong-label", pem.replace("TSS2 PRIVATE KEY", "PRIVATE KEY").getBytes(StandardCharsets.US_ASCII));
        broken.put("bad-public-size", pem(withOctets(der, 0, pubkey)));
        broken.put("tampered-private", pem(withOctets(der, 1, privkey)));
        return broken;
    }

    /** The key file's DER with its n-th OCTET STRING (0 pubkey, 1 privkey) replaced, past the record's checks. */
    private static byte[] withOctets(byte[] der, int n, byte[] octets) throws IOException {
        ASN1EncodableVector fields = new ASN1EncodableVector();
        int seen = 0;
        for (ASN1Encodable field : ASN1Sequence.getInstance(der)) {
            fields.add(field instanceof ASN1OctetString && seen++ == n ? new DEROctetString(octets) : field);
        }
        assertTrue(seen >= 2, "pubkey and privkey found");
        return new DERSequence(fields).getEncoded();
    }

    private static byte[] pem(byte[] der) {
        return ("-----BEGIN TSS2 PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END TSS2 PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void brokenKeyFileGivesOneLineWithoutKeyBytes() throws IOException {
        String goodPem = Files.readString(key("ec-p256"));
        for (Map.Entry<String, byte[]> e : brokenKeyFiles().entrySet()) {
            Path file = dir.resolve(e.getKey() + ".pem");
            Files.write(file, e.getValue());
            for (List<String> command : List.of(List.of("key", "public", "--key", file.toString()),
                    List.of("key", "sign", "--key", file.toString(), "--in", message.toString(),
                            "--out", dir.resolve(e.getKey() + ".sig").toString()))) {
                String error = tpmauth(command.toArray(String[]::new)).fails();
                if (!e.getKey().equals("tampered-private")) { // that one parses; the TPM refuses it
                    assertTrue(error.contains(file + " is not a usable TSS2 key file: "), error);
                }
                // the temporary directory's name is all digits: leave it out of the hex check
                assertFalse(Pattern.compile("[0-9A-Fa-f]{16}").matcher(error.replace(dir.toString(), "DIR")).find(),
                        () -> "hex in: " + error);
                for (String body : List.of(goodPem, new String(e.getValue(), StandardCharsets.ISO_8859_1))) {
                    assertNoChunkOf(body, error);
                }
            }
        }
        String tampered = tpmauth("key", "public", "--key", dir.resolve("tampered-private.pem").toString()).fails();
        assertTrue(tampered.contains("does not belong to this TPM"), tampered);
        String truncated = tpmauth("key", "public", "--key", dir.resolve("truncated-pem.pem").toString()).fails();
        assertTrue(truncated.contains("PEM"), truncated);
    }

    /** Fails when the message holds any 12 characters in a row from a base64 line of the file. */
    private static void assertNoChunkOf(String file, String message) {
        for (String line : file.split("\n")) {
            if (line.startsWith("-----") || !line.matches("[A-Za-z0-9+/=]{12,}")) {
                continue;
            }
            for (int i = 0; i + 12 <= line.length(); i++) {
                String chunk = line.substring(i, i + 12);
                assertFalse(message.contains(chunk), () -> "key file text '" + chunk + "' in: " + message);
            }
        }
    }

    @Test
    void debugShowsTheStackTrace() throws IOException {
        Path file = dir.resolve("debug-truncated.pem");
        String pem = Files.readString(key("ec-p256"));
        Files.writeString(file, pem.substring(0, pem.length() / 2));
        Cli.Result r = tpmauth("--debug", "key", "public", "--key", file.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("KeyFileFormatException") && r.err().contains("\tat org.tpmauth."), r::toString);
        assertTrue(r.err().strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("tpmauth: "),
                () -> "the one-line message ends the output: " + r);
        // --debug works after the subcommand too (an inherited option)
        Cli.Result after = tpmauth("key", "public", "--key", file.toString(), "--debug");
        assertTrue(after.err().contains("\tat org.tpmauth."), after::toString);
        assertEquals(r.err().lines().findFirst(), after.err().lines().findFirst());
    }

    @Test
    void keyFileRoundTripsThroughTheCodec() throws IOException {
        Path key = key("ec-p384");
        Tss2KeyFile parsed = Tss2KeyFile.read(key);
        assertArrayEquals(Files.readAllBytes(key), parsed.toPem().getBytes(StandardCharsets.US_ASCII),
                "the CLI writes the canonical PEM");
    }
}
