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

    public ForgedHeaders(SessionSettings settings) {
        List<String> all = new ArrayList<>(settings.forwardHeaders().keySet());
        all.add(settings.header());
        this.names = all.stream().map(ForgedHeaders::canonical).collect(Collectors.toUnmodifiableSet());
    }

    /** Lowercase, with {@code _} read as {@code -} (CGI-style servers turn both into the same variable). */
    static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Removes every spelling of the session headers from {@code headers}, and their names from {@code Connection}
     * (which would otherwise have the proxy drop the headers it sets itself as hop-by-hop); true when there was one.
     */
    public boolean strip(MultiMap headers) {
        List<String> connection = headers.getAll("Connection");
        if (!connection.isEmpty()) {
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
        for (String name : headers.names()) {
            if (names.contains(canonical(name))) {
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
