package dev.outrigger.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route's path glob, compiled once: {@code **} (a whole segment) any number of segments, zero included;
 * {@code *} any characters within one segment; {@code {name}} one non-empty segment, captured (route tags use it).
 * Matched against the normalised path (RequestTarget), so {@code %2F} never passes for a separator; a captured
 * segment is as the path has it (percent-encoded). Aggregates match their paths with it too.
 */
public final class PathPattern {

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String glob;
    private final Pattern regex;
    private final List<String> variables;

    private PathPattern(String glob, Pattern regex, List<String> variables) {
        this.glob = glob;
        this.regex = regex;
        this.variables = variables;
    }

    /** Compiles {@code glob}; the message of the exception says what is wrong with it. */
    public static PathPattern compile(String glob) {
        if (!glob.startsWith("/")) {
            throw new IllegalArgumentException("must start with '/'");
        }
        if (glob.contains("?") || glob.contains("#")) {
            throw new IllegalArgumentException("matches the path only: no '?' or '#'");
        }
        StringBuilder re = new StringBuilder("^");
        List<String> variables = new ArrayList<>();
        String[] segments = glob.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.equals("**")) {
                // "/a/**" matches "/a", "/a/" and everything below it
                re.append("(?:/.*)?");
                continue;
            }
            if (s.contains("**")) {
                throw new IllegalArgumentException("'**' must be a whole segment, as in /api/**");
            }
            re.append('/');
            Matcher v = VARIABLE.matcher(s);
            if (v.matches()) {
                String name = v.group(1);
                if (variables.contains(name)) {
                    throw new IllegalArgumentException("variable {" + name + "} appears twice");
                }
                variables.add(name);
                re.append("([^/]+)"); // numbered: Java group names allow no '_'; "(?:/.*)?" captures nothing
                continue;
            }
            if (s.contains("{") || s.contains("}")) {
                throw new IllegalArgumentException("a variable is a whole segment named with letters, digits and '_', as in /products/{id}");
            }
            re.append(Globs.segment(s));
        }
        return new PathPattern(glob, Pattern.compile(re.append('$').toString()), List.copyOf(variables));
    }

    /** The variables' values when {@code path} (without query) matches; empty when it does not. */
    public Optional<Map<String, String>> match(String path) {
        Matcher m = regex.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        if (variables.isEmpty()) {
            return Optional.of(Map.of());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < variables.size(); i++) {
            values.put(variables.get(i), m.group(i + 1));
        }
        return Optional.of(values);
    }

    public List<String> variables() {
        return variables;
    }

    @Override
    public String toString() {
        return glob;
    }
}
