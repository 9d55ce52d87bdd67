package dev.chatws.json;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringWriter;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable JSON object of a few members held in two arrays, in the order they were read: what
 * {@link JsonText#streamedObject} builds for every object of an upstream event instead of the
 * provider's hash map per object (a chunk is three small objects, read tens of thousands of times
 * a second: reading chunks this way cut what the server allocates per relayed chunk by a sixth,
 * docs/benchmarks.md). It is a full
 * {@link JsonObject}: equal to (and hashing like) any JSON-P object with the same members, written
 * by any JSON-P writer, {@link #toString} its JSON text. Lookup by name is a scan, which for a
 * handful of members beats hashing; past {@value #SCAN_LIMIT} members a hash index is kept as
 * well, so that an object of many members (hostile input) is read in linear time. A name read
 * twice keeps its first place and its last value, as the provider's objects do.
 *
 * <p>Thread-safe once built (nothing changes it); built by one thread through {@link Builder}.
 */
public final class CompactObject extends AbstractMap<String, JsonValue> implements JsonObject {

    /** Up to this many members, names are found by a scan; beyond it, by {@link #index}. */
    static final int SCAN_LIMIT = 8;

    private final String[] names;
    private final JsonValue[] values;
    private final int size;
    /** Each name's place, for an object of more than {@link #SCAN_LIMIT} members; else null. */
    private final HashMap<String, Integer> index;

    private CompactObject(String[] names, JsonValue[] values, int size, HashMap<String, Integer> index) {
        this.names = names;
        this.values = values;
        this.size = size;
        this.index = index;
    }

    /** Collects the members of one object as they are read; not thread-safe, used once. */
    static final class Builder {
        private String[] names = new String[SCAN_LIMIT];
        private JsonValue[] values = new JsonValue[SCAN_LIMIT];
        private int size;
        private HashMap<String, Integer> index;

        /** Adds {@code name}, or replaces its value where it stands if it was read before. */
        void put(String name, JsonValue value) {
            int at = find(names, size, index, name);
            if (at >= 0) {
                values[at] = value;
                return;
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            if (index != null) {
                index.put(name, size);
            } else if (size == SCAN_LIMIT) {
                index = new HashMap<>();
                for (int i = 0; i < size; i++) {
                    index.put(names[i], i);
                }
                index.put(name, size);
            }
            names[size] = name;
            values[size++] = value;
        }

        CompactObject build() {
            return new CompactObject(names, values, size, index);
        }
    }

    /** Where {@code name} stands among the first {@code size} {@code names}; -1 if it is not there. */
    private static int find(String[] names, int size, HashMap<String, Integer> index, Object name) {
        if (index != null) {
            Integer at = index.get(name);
            return at == null ? -1 : at;
        }
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private int find(Object name) {
        return find(names, size, index, name);
    }

    @Override
    public JsonValue get(Object name) {
        int at = find(name);
        return at < 0 ? null : values[at];
    }

    @Override
    public boolean containsKey(Object name) {
        return find(name) >= 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<String, JsonValue>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, JsonValue>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, JsonValue> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int at = next++;
                        return new SimpleImmutableEntry<>(names[at], values[at]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @Override
    public JsonArray getJsonArray(String name) {
        return (JsonArray) get(name);
    }

    @Override
    public JsonObject getJsonObject(String name) {
        return (JsonObject) get(name);
    }

    @Override
    public JsonNumber getJsonNumber(String name) {
        return (JsonNumber) get(name);
    }

    @Override
    public JsonString getJsonString(String name) {
        return (JsonString) get(name);
    }

    @Override
    public String getString(String name) {
        return getJsonString(name).getString();
    }

    @Override
    public String getString(String name, String defaultValue) {
        return get(name) instanceof JsonString string ? string.getString() : defaultValue;
    }

    @Override
    public int getInt(String name) {
        return getJsonNumber(name).intValue();
    }

    @Override
    public int getInt(String name, int defaultValue) {
        return get(name) instanceof JsonNumber number ? number.intValue() : defaultValue;
    }

    @Override
    public boolean getBoolean(String name) {
        return switch (Objects.requireNonNull(get(name), name).getValueType()) {
            case TRUE -> true;
            case FALSE -> false;
            default -> throw new ClassCastException("Not a JSON boolean: " + name);
        };
    }

    @Override
    public boolean getBoolean(String name, boolean defaultValue) {
        JsonValue value = get(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.getValueType()) {
            case TRUE -> true;
            case FALSE -> false;
            default -> defaultValue;
        };
    }

    @Override
    public boolean isNull(String name) {
        return Objects.requireNonNull(get(name), name).getValueType() == ValueType.NULL;
    }

    @Override
    public ValueType getValueType() {
        return ValueType.OBJECT;
    }

    @Override
    public String toString() {
        StringWriter text = new StringWriter();
        try (var writer = JsonText.PROVIDER.createWriter(text)) {
            writer.write(this);
        }
        return text.toString();
    }
}
