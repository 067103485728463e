package org.tpmauth.tss.types;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/** Maps the values of a constants class's public static int fields back to their names. */
final class ConstantNames {
    private final Map<Integer, String> names = new HashMap<>();

    /** Collects every public static int of {@code holder} whose name starts with none of {@code skipPrefixes}. */
    ConstantNames(Class<?> holder, String namePrefix, String... skipPrefixes) {
        for (Field f : holder.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class || skipped(f.getName(), skipPrefixes)) {
                continue;
            }
            try {
                // the first name wins when two constants share a value (aliases)
                names.putIfAbsent(f.getInt(null), namePrefix + f.getName());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static boolean skipped(String name, String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The constant's name, or the value in hex when no constant has it. */
    String nameOf(int value) {
        String n = names.get(value);
        return n != null ? n : String.format("0x%08x", value);
    }
}
