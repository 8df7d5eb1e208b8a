package dev.outrigger.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request's Cookie lines read as a jar: what route keys and aggregates forward is picked from it. */
public final class Cookies {

    private Cookies() {}

    /** The cookies of a request (RFC 6265 §5.4: {@code name=value} pairs separated by ";"), first value per name. */
    public static Map<String, String> jar(List<String> lines) {
        Map<String, String> jar = new LinkedHashMap<>();
        for (String line : lines) {
            for (String pair : line.split(";")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).trim();
                if (!name.isEmpty()) {
                    jar.putIfAbsent(name, pair.substring(eq + 1).trim());
                }
            }
        }
        return jar;
    }
}
