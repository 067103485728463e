package org.tpmauth.tss.fapi;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reading and writing FAPI's JSON files with Jackson's tree model, so that fields tpmauth does not
 * know survive a rewrite. Reading is as lenient as json-c, which FAPI uses: its shipped profiles have
 * trailing commas.
 */
public final class FapiJson {
    /** Keystore objects, profiles and policies are kilobytes; a larger file is not one of them. */
    public static final int MAX_FILE_SIZE = 1024 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        MAPPER.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private FapiJson() {
    }

    /** Parses a JSON object; anything else (bad JSON, an array, too large) fails naming {@code source}. */
    public static ObjectNode parseObject(byte[] json, String source) {
        if (json.length > MAX_FILE_SIZE) {
            throw new FapiFormatException(source, "is " + json.length + " bytes; FAPI's JSON files are under "
                    + MAX_FILE_SIZE);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new FapiFormatException(source, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            // reading bytes in memory fails only on their encoding, e.g. a character beyond Unicode
            throw new FapiFormatException(source, "is not JSON text in UTF-8, UTF-16 or UTF-32: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new FapiFormatException(source, "is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Reads and parses a JSON object file. */
    public static ObjectNode readObject(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new FapiFormatException(file.toString(), "is larger than " + MAX_FILE_SIZE + " bytes");
            }
            return parseObject(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Pretty-printed JSON, as FAPI writes it. */
    public static byte[] toBytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file atomically (a temporary file, then a rename), so a reader never sees half of it. */
    public static void write(Path file, JsonNode node) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".object", ".tmp");
            try {
                Files.write(tmp, toBytes(node));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
