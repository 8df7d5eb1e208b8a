package dev.outrigger.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable list of header fields in the order received, looked up case-insensitively. The value the
 * policy code reasons about; adapters in {@code proxy} convert to and from Vert.x's MultiMap.
 */
public final class Headers {

    public static final Headers EMPTY = new Headers(List.of());

    private final List<Map.Entry<String, String>> fields;

    private Headers(List<Map.Entry<String, String>> fields) {
        this.fields = fields;
    }

    /** {@code Headers.of("Cache-Control", "max-age=60", "ETag", "\"a\"")}: names and values alternating. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate");
        }
        List<Map.Entry<String, String>> list = new ArrayList<>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new Headers(Collections.unmodifiableList(list));
    }

    public static Headers of(List<Map.Entry<String, String>> fields) {
        return new Headers(List.copyOf(fields));
    }

    /** The first value of the field, if present. */
    public Optional<String> first(String name) {
        for (var f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                return Optional.of(f.getValue());
            }
        }
        return Optional.empty();
    }

    /** Every value of the field, in order (one per field line). */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (var f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                values.add(f.getValue());
            }
        }
        return values;
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /** A copy with every line of {@code name} replaced by one line with {@code value}. */
    public Headers with(String name, String value) {
        List<Map.Entry<String, String>> list = new ArrayList<>(fields.size() + 1);
        boolean placed = false;
        for (var f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                if (!placed) {
                    list.add(Map.entry(f.getKey(), value));
                    placed = true;
                }
            } else {
                list.add(f);
            }
        }
        if (!placed) {
            list.add(Map.entry(name, value));
        }
        return new Headers(Collections.unmodifiableList(list));
    }

    /** A copy without any line of the named fields. */
    public Headers without(String... names) {
        List<Map.Entry<String, String>> list = new ArrayList<>(fields.size());
        outer:
        for (var f : fields) {
            for (String n : names) {
                if (f.getKey().equalsIgnoreCase(n)) {
                    continue outer;
                }
            }
            list.add(f);
        }
        return new Headers(Collections.unmodifiableList(list));
    }

    /** The fields in order, as (name, value) entries. */
    public List<Map.Entry<String, String>> fields() {
        return fields;
    }

    /** The comma-separated list elements of every line of a list-valued field, trimmed, lowercase. */
    public List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>();
        for (String v : all(name)) {
            for (String t : v.split(",")) {
                String token = t.trim();
                if (!token.isEmpty()) {
                    tokens.add(token.toLowerCase(Locale.ROOT));
                }
            }
        }
        return tokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers h && fields.equals(h.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
