package dev.outrigger.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One compiled route: which requests it takes, and what the cache does with them. Immutable, shared by every event loop. */
public final class Route {

    /** The route of every request no configured route matches: RFC 9111 as it is, nothing added to the key. */
    public static final Route DEFAULT = new Route("default", -1, null, Set.of(), null, Map.of(), RouteTtl.NONE, KeySpec.NONE,
            true, true, List.of(), Optional.empty());

    private static final Pattern TAG_VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String name;
    private final Optional<String> auth;
    private final int index;
    private final PathPattern path;
    /** Uppercase; empty: any. */
    private final Set<String> methods;
    private final Pattern host;
    /** Lowercase header name → pattern for its value (null: present with any value). */
    private final Map<String, Pattern> headers;
    private final RouteTtl ttl;
    private final KeySpec key;
    private final boolean lookup;
    private final boolean store;
    private final List<String> tags;

    Route(String name, int index, PathPattern path, Set<String> methods, Pattern host, Map<String, Pattern> headers, RouteTtl ttl,
          KeySpec key, boolean lookup, boolean store, List<String> tags, Optional<String> auth) {
        this.auth = auth;
        this.name = name;
        this.index = index;
        this.path = path;
        this.methods = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(methods));
        this.host = host;
        this.headers = new LinkedHashMap<>(headers);
        this.ttl = ttl;
        this.key = key;
        this.lookup = lookup;
        this.store = store;
        this.tags = List.copyOf(tags);
    }

    public String name() {
        return name;
    }

    /** Its place in {@code outrigger.routes} (-1 for the default route). */
    public int index() {
        return index;
    }

    /** Answer from the cache. */
    public boolean lookup() {
        return lookup;
    }

    /** Store what is fetched. */
    public boolean store() {
        return store;
    }

    public boolean perUser() {
        return key.perUser();
    }

    /**
     * Whether it may take a GET for {@code hostName} (null: any host) and {@code path}, whatever the request's
     * headers: its variables, or empty. {@link #certain} says when it takes every such request.
     */
    Optional<Map<String, String>> mayTake(String hostName, String path) {
        if (!methods.isEmpty() && !methods.contains("GET")) {
            return Optional.empty();
        }
        if (hostName != null && host != null && !host.matcher(hostName).matches()) {
            return Optional.empty();
        }
        return this.path == null ? Optional.of(Map.of()) : this.path.match(path);
    }

    /** Its key holds request headers or cookies and no user: a URL's entries under it are one per value. */
    boolean keysSharedVariants() {
        return key.keysSharedVariants();
    }

    /** The target as this route keys (and forwards) it: the query filtered and sorted. */
    String keyedTarget(String target) {
        return key.query(target);
    }

    /** It takes every GET that {@link #mayTake} admits for a request naming {@code hostName} (null: any). */
    boolean certain(String hostName) {
        return headers.isEmpty() && (host == null || hostName != null);
    }

    /** The methods it takes, as configured; empty: any. */
    Set<String> methods() {
        return methods;
    }

    /** With sessions on: {@code required}, {@code optional} or {@code none}; empty: the sessions' default. */
    public Optional<String> auth() {
        return auth;
    }

    public RouteTtl ttl() {
        return ttl;
    }

    /** This route with {@code lifetime} as its ttl, in {@code override} mode: how an aggregate part's ttl applies. */
    public Route withTtl(Duration lifetime) {
        return new Route(name, index, path, methods, host, headers, ttl.overriddenBy(lifetime), key, lookup, store, tags, auth);
    }

    /**
     * The variables of {@code path} when this route takes the request, or empty.
     *
     * @param headers the request's header lines by name (lowercase)
     */
    Optional<Map<String, String>> match(String method, String hostName, String requestPath, Function<String, List<String>> headers) {
        Optional<Map<String, String>> variables = path == null ? Optional.of(Map.of()) : path.match(requestPath);
        return variables.isPresent() && whyNotBesidesPath(method, hostName, headers) == null ? variables : Optional.empty();
    }

    /** Why this route does not take the request; null when it does. */
    String whyNot(String method, String hostName, String requestPath, Function<String, List<String>> request) {
        if (path != null && path.match(requestPath).isEmpty()) {
            return "path does not match " + path;
        }
        return whyNotBesidesPath(method, hostName, request);
    }

    private String whyNotBesidesPath(String method, String hostName, Function<String, List<String>> request) {
        if (!methods.isEmpty() && !methods.contains(method)) {
            return "method " + method + " is not one of " + methods;
        }
        if (host != null && !host.matcher(hostName).matches()) {
            return "host " + hostName + " does not match " + host.pattern();
        }
        for (var h : headers.entrySet()) {
            List<String> values = request.apply(h.getKey());
            if (values.isEmpty()) {
                return "no " + h.getKey() + " header";
            }
            if (h.getValue() != null && !h.getValue().matcher(String.join(", ", values)).matches()) {
                return h.getKey() + " does not match " + h.getValue().pattern();
            }
        }
        return null;
    }

    /** How this route takes the request whose target and headers are given (it matched, with {@code variables}). */
    public Routed route(String target, Function<String, List<String>> request, Map<String, String> variables) {
        return route(target, request, variables, field -> Optional.empty());
    }

    /** The session field the route keys its users by, when it does. */
    public Optional<String> userSessionField() {
        return key.userSession();
    }

    /** As {@link #route(String, Function, Map)}, for a request whose resolved session's fields {@code session} gives. */
    public Routed route(String target, Function<String, List<String>> request, Map<String, String> variables,
                        Function<String, Optional<String>> session) {
        // Header conditions choose the policy, not the content: requests for one URL that different routes
        // take share its entries (a refresh or preview route relies on it). Content that differs by a header
        // is keyed by key.headers or the origin's Vary.
        KeySpec.Keyed keyed = key.apply(target, request, session);
        List<String> expanded = new ArrayList<>(tags.size());
        for (String template : tags) {
            Matcher m = TAG_VARIABLE.matcher(template);
            expanded.add(m.replaceAll(r -> Matcher.quoteReplacement(variables.getOrDefault(r.group(1), ""))));
        }
        return new Routed(this, keyed.target(), keyed.components(), key.keyedFields(), keyed.cookieHeader(), keyed.identified(),
                expanded);
    }

    /**
     * A request as its route takes it.
     *
     * @param route the route
     * @param target the target keyed and forwarded (query as the route keys it)
     * @param components typed key components the route adds
     * @param keyedFields lowercase request fields the key covers (forwarded on fetches made for everyone)
     * @param cookieHeader the Cookie header to forward when the route keys cookies ("" for none); empty: unchanged
     * @param identified a per-user route found the user's identity
     * @param tags purge tags the route adds to what it stores
     */
    public record Routed(Route route, String target, List<KeyComponent> components, List<String> keyedFields,
                         Optional<String> cookieHeader, boolean identified, List<String> tags) {
        /** What a request that takes no route is. */
        public static Routed unrouted(String target) {
            return passing(DEFAULT, target);
        }

        /** A request its route neither looks up nor stores: left as it came. */
        public static Routed passing(Route route, String target) {
            return new Routed(route, target, List.of(), List.of(), Optional.empty(), false, List.of());
        }
    }

    /** For explain: the route's settings. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name);
        Map<String, Object> match = new LinkedHashMap<>();
        if (path != null) {
            match.put("path", path.toString());
        }
        if (!methods.isEmpty()) {
            match.put("methods", List.copyOf(methods));
        }
        if (host != null) {
            match.put("host", host.pattern());
        }
        if (!headers.isEmpty()) {
            Map<String, String> h = new LinkedHashMap<>();
            headers.forEach((n, p) -> h.put(n, p == null ? "*" : p.pattern()));
            match.put("headers", h);
        }
        d.put("match", match);
        d.putAll(ttl.describe());
        d.put("key", key.describe());
        d.put("lookup", lookup);
        d.put("store", store);
        auth.ifPresent(a -> d.put("auth", a));
        if (!tags.isEmpty()) {
            d.put("tags", tags);
        }
        return d;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return name;
    }
}
