package dev.outrigger.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parsed Cache-Control field (RFC 9111 §5.2): the directives of every field line, in order, names
 * lowercased, arguments unquoted. Parsed once; every question about it is a directive lookup, never a
 * comparison of the raw header string.
 */
public record CacheControl(List<Directive> directives) {

    /** One directive: a lowercase name and its argument, if it had one (token or unquoted quoted-string). */
    public record Directive(String name, Optional<String> argument) {}

    public static final CacheControl EMPTY = new CacheControl(List.of());

    /** RFC 9111 §1.2.2: the value used when a delta-seconds is larger than can be represented. */
    static final long DELTA_SECONDS_MAX = 2_147_483_648L;

    public CacheControl {
        directives = List.copyOf(directives);
    }

    /** Parses every Cache-Control line of {@code headers}. */
    public static CacheControl of(Headers headers) {
        return parse(headers.all("Cache-Control"));
    }

    /** Parses field lines; malformed elements are skipped, never fatal. */
    public static CacheControl parse(List<String> lines) {
        List<Directive> out = new ArrayList<>();
        for (String line : lines) {
            parseLine(line, out);
        }
        return out.isEmpty() ? EMPTY : new CacheControl(out);
    }

    public static CacheControl parse(String line) {
        return parse(List.of(line));
    }

    private static void parseLine(String s, List<Directive> out) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            // name: up to '=' or ','
            int start = i;
            while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',') {
                i++;
            }
            String name = s.substring(start, i).trim().toLowerCase(Locale.ROOT);
            Optional<String> argument = Optional.empty();
            if (i < n && s.charAt(i) == '=') {
                i++;
                while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && s.charAt(i) == '"') {
                    // quoted-string with quoted-pairs (RFC 9110 §5.6.4); an unterminated one runs to the end
                    StringBuilder value = new StringBuilder();
                    i++;
                    while (i < n && s.charAt(i) != '"') {
                        char c = s.charAt(i);
                        if (c == '\\' && i + 1 < n) {
                            c = s.charAt(++i);
                        }
                        value.append(c);
                        i++;
                    }
                    i++; // closing quote
                    argument = Optional.of(value.toString());
                    while (i < n && s.charAt(i) != ',') {
                        i++; // junk after the quoted string belongs to no directive
                    }
                } else {
                    int vs = i;
                    while (i < n && s.charAt(i) != ',') {
                        i++;
                    }
                    argument = Optional.of(s.substring(vs, i).trim());
                }
            }
            i++; // the comma
            if (!name.isEmpty() && isToken(name)) {
                out.add(new Directive(name, argument));
            }
        }
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The field value these directives make, arguments quoted where they are not tokens (RFC 9110 §5.6.4). */
    public String format() {
        StringBuilder sb = new StringBuilder();
        for (Directive d : directives) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(d.name());
            d.argument().ifPresent(arg -> {
                sb.append('=');
                if (!arg.isEmpty() && isToken(arg)) {
                    sb.append(arg);
                } else {
                    sb.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                }
            });
        }
        return sb.toString();
    }

    /** These directives less every one named, plus {@code name=seconds} (replacing any of that name). */
    public CacheControl with(String name, Duration seconds, String... removed) {
        List<Directive> out = new ArrayList<>();
        for (Directive d : directives) {
            if (!d.name().equals(name) && !List.of(removed).contains(d.name())) {
                out.add(d);
            }
        }
        out.add(new Directive(name, Optional.of(Long.toString(seconds.toSeconds()))));
        return new CacheControl(out);
    }

    /** These directives plus {@code name} without an argument, unless present. */
    public CacheControl withFlag(String name) {
        if (has(name)) {
            return this;
        }
        List<Directive> out = new ArrayList<>(directives);
        out.add(new Directive(name, Optional.empty()));
        return new CacheControl(out);
    }

    /** True when the directive is present, with or without an argument. */
    public boolean has(String name) {
        return index(name) >= 0;
    }

    /**
     * The first occurrence of the directive (RFC 9111 §4.2.1: with duplicates, the first is used). Names
     * compare case-insensitively (§5.2), whichever way the caller spells them.
     */
    public Optional<Directive> first(String name) {
        int i = index(name);
        return i < 0 ? Optional.empty() : Optional.of(directives.get(i));
    }

    /** Where the directive first stands; -1 when absent. Indexed: a hit asks this of every response, with no iterator. */
    private int index(String name) {
        for (int i = 0, n = directives.size(); i < n; i++) {
            if (directives.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The directive's delta-seconds argument (RFC 9111 §1.2.2): digits only, quoted or not; a value too
     * large to represent is 2^31 s. Empty when the directive is absent or its argument is not valid; use
     * {@link #has} to tell the two apart (an invalid max-age is no fresh lifetime, not an absent one).
     */
    public Optional<Duration> seconds(String name) {
        Optional<Directive> d = first(name);
        if (d.isEmpty() || d.get().argument().isEmpty()) {
            return Optional.empty();
        }
        String v = d.get().argument().get();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        long secs;
        if (v.length() > 10) {
            secs = DELTA_SECONDS_MAX;
        } else {
            secs = Math.min(Long.parseLong(v), DELTA_SECONDS_MAX);
        }
        return Optional.of(Duration.ofSeconds(secs));
    }

    /**
     * The field names a qualified {@code no-cache="..."} or {@code private="..."} lists (RFC 9111
     * §5.2.2.4, §5.2.2.7), lowercase; empty for the unqualified form.
     */
    public List<String> fieldNames(String name) {
        Optional<Directive> d = first(name);
        if (d.isEmpty() || d.get().argument().isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String f : d.get().argument().get().split(",")) {
            String t = f.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                names.add(t);
            }
        }
        return names;
    }
}
