package dev.outrigger.session;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The headers the application takes as the session (X-Session, and those mapped from session fields), in every
 * spelling an application or a framework could read as the same: any case, {@code _} for {@code -}. A client
 * sends none of them through: they are removed from every request, sessions on or off for its route.
 */
public final class ForgedHeaders {

    private final Set<String> names;
    /** The same, for the per-request scan: compared in place, no lowercase copy of each name. */
    private final String[] canonicalNames;

    public ForgedHeaders(SessionSettings settings) {
        List<String> all = new ArrayList<>(settings.forwardHeaders().keySet());
        all.add(settings.header());
        this.names = all.stream().map(ForgedHeaders::canonical).collect(Collectors.toUnmodifiableSet());
        this.canonicalNames = names.toArray(String[]::new);
    }

    /** Lowercase, with {@code _} read as {@code -} (CGI-style servers turn both into the same variable). */
    static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether {@code name} is a spelling of a session header: {@link #canonical} compared in place. */
    private boolean isForged(String name) {
        for (String canonical : canonicalNames) {
            if (sameCanonical(name, canonical)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameCanonical(String name, String canonical) {
        if (name.length() != canonical.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                c = '-';
            } else if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            } else if (c > 0x7f) {
                return canonical(name).equals(canonical); // not a token character: compared as canonical() would
            }
            if (c != canonical.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Removes every spelling of the session headers from {@code headers}, and their names from {@code Connection}
     * (which would otherwise have the proxy drop the headers it sets itself as hop-by-hop); true when there was one.
     */
    public boolean strip(MultiMap headers) {
        if (headers.contains("Connection")) {
            List<String> connection = headers.getAll("Connection");
            List<String> kept = new ArrayList<>();
            boolean named = false;
            for (String line : connection) {
                for (String token : line.split(",")) {
                    String t = token.trim();
                    if (names.contains(canonical(t))) {
                        named = true;
                    } else if (!t.isEmpty()) {
                        kept.add(t);
                    }
                }
            }
            if (named) {
                headers.remove("Connection");
                if (!kept.isEmpty()) {
                    headers.set("Connection", String.join(", ", kept));
                }
            }
        }
        List<String> forged = null;
        for (var field : headers) {
            String name = field.getKey();
            if (isForged(name)) {
                if (forged == null) {
                    forged = new ArrayList<>();
                }
                forged.add(name);
            }
        }
        if (forged == null) {
            return false;
        }
        forged.forEach(headers::remove);
        return true;
    }
}
