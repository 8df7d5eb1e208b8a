package dev.outrigger.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The configured routes, checked and compiled once at start-up: the first whose conditions all hold takes a
 * request; none does → {@link Route#DEFAULT} (RFC 9111 as it is).
 */
public final class Routes {

    /** No routes configured. */
    public static final Routes NONE = new Routes(List.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern TAG_VARIABLE = Pattern.compile("\\{([^}]*)}");
    /** Request fields whose raw values may not be keyed: they are credentials (per-user keys a hash of one instead). */
    private static final Set<String> CREDENTIALS = Set.of("authorization", "cookie", "proxy-authorization");

    private final List<Route> routes;
    private final List<String> warnings;

    private Routes(List<Route> routes) {
        this(routes, List.of());
    }

    private Routes(List<Route> routes, List<String> warnings) {
        this.routes = List.copyOf(routes);
        this.warnings = List.copyOf(warnings);
    }

    /** Refused configuration: the message names the route and the field. */
    public static final class InvalidRule extends IllegalArgumentException {
        InvalidRule(int index, String name, String field, String problem) {
            super("outrigger.routes[" + index + "]" + (name == null || name.isBlank() ? "" : " (" + name + ")") + ": " + field
                    + ": " + problem);
        }
    }

    /**
     * Checks and compiles {@code specs}. {@code secret} keys the per-user hash; a per-user route without one is refused.
     *
     * @throws InvalidRule for the first problem found
     */
    public static Routes compile(List<RouteSpec> specs, Optional<byte[]> secret) {
        List<Route> compiled = new ArrayList<>();
        Set<String> names = new HashSet<>();
        UserHash hash = secret.filter(s -> s.length > 0).map(UserHash::new).orElse(null);
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Route route = compile(i, specs.get(i), names, hash);
            compiled.add(route);
            if (route.methods().contains("GET") && !route.methods().contains("HEAD")) {
                warnings.add("outrigger.routes[" + i + "] (" + route.name() + "): match.methods lists GET without HEAD: a HEAD "
                        + "for the same URL takes another route, so another key and lifetime");
            }
        }
        return new Routes(compiled, warnings);
    }

    private static Route compile(int i, RouteSpec spec, Set<String> names, UserHash hash) {
        String name = spec.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRule(i, name, "name", "required: letters, digits, '_', '.', '-' (at most 64), starting with a letter or digit");
        }
        if (name.equals(Route.DEFAULT.name())) {
            throw new InvalidRule(i, name, "name", "'default' is the name of requests no route matches");
        }
        if (!names.add(name)) {
            throw new InvalidRule(i, name, "name", "another route has this name");
        }
        RouteSpec.Match m = spec.match();
        PathPattern path = null;
        if (m.path().isPresent()) {
            try {
                path = PathPattern.compile(m.path().get().trim());
            } catch (IllegalArgumentException e) {
                throw new InvalidRule(i, name, "match.path", e.getMessage());
            }
        }
        Set<String> methods = new java.util.LinkedHashSet<>(); // as configured, for explain
        for (String method : m.methods()) {
            String upper = method.trim().toUpperCase(Locale.ROOT);
            if (!TOKEN.matcher(upper).matches()) {
                throw new InvalidRule(i, name, "match.methods", "'" + method + "' is not a method");
            }
            methods.add(upper);
        }
        if (m.host().isPresent()) {
            String h = m.host().get().trim();
            if (h.isEmpty() || h.indexOf(':', h.lastIndexOf(']') + 1) >= 0) {
                throw new InvalidRule(i, name, "match.host", "'" + h + "': a host name without port (an IPv6 address in brackets); "
                        + "routes match on names");
            }
        }
        Pattern host = m.host().map(h -> Globs.value(h.trim().toLowerCase(Locale.ROOT), true)).orElse(null);
        Map<String, Pattern> headers = new LinkedHashMap<>();
        for (var h : m.headers().entrySet()) {
            String header = h.getKey().trim().toLowerCase(Locale.ROOT);
            if (!TOKEN.matcher(header).matches()) {
                throw new InvalidRule(i, name, "match.headers", "'" + h.getKey() + "' is not a header name");
            }
            String condition = h.getValue() == null ? "*" : h.getValue().trim();
            try {
                headers.put(header, condition.equals("*") ? null : Pattern.compile(condition));
            } catch (PatternSyntaxException e) {
                throw new InvalidRule(i, name, "match.headers." + h.getKey(), "not a regular expression: " + e.getDescription());
            }
        }
        RouteTtl.Mode mode = switch (spec.ttlMode().trim().toLowerCase(Locale.ROOT)) {
            case "respect-origin" -> RouteTtl.Mode.RESPECT_ORIGIN;
            case "fallback" -> RouteTtl.Mode.FALLBACK;
            case "override" -> RouteTtl.Mode.OVERRIDE;
            default -> throw new InvalidRule(i, name, "ttl-mode", "'" + spec.ttlMode() + "': use respect-origin, fallback or override");
        };
        seconds(i, name, "ttl", spec.ttl());
        seconds(i, name, "stale-while-revalidate", spec.staleWhileRevalidate());
        seconds(i, name, "stale-if-error", spec.staleIfError());
        Map<Integer, Duration> statusTtl = new LinkedHashMap<>();
        for (var e : spec.statusTtl().entrySet()) {
            int status;
            try {
                status = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw new InvalidRule(i, name, "status-ttl", "'" + e.getKey() + "' is not a status code");
            }
            if (status < 200 || status > 599 || status == 206 || status == 304) {
                throw new InvalidRule(i, name, "status-ttl." + status, "only final statuses 200-599 other than 206 and 304 are stored");
            }
            seconds(i, name, "status-ttl." + status, Optional.of(e.getValue()));
            statusTtl.put(status, e.getValue());
        }
        if (mode != RouteTtl.Mode.RESPECT_ORIGIN && spec.ttl().isEmpty() && statusTtl.isEmpty()) {
            throw new InvalidRule(i, name, "ttl", "ttl-mode " + spec.ttlMode().trim() + " needs a ttl (or status-ttl)");
        }
        RouteSpec.Key k = spec.key();
        if (k.ignoreQuery() && (!k.include().isEmpty() || !k.exclude().isEmpty())) {
            throw new InvalidRule(i, name, "key.query", "ignore drops the whole query: give it alone, without include or exclude");
        }
        for (String param : concat(k.include(), k.exclude())) {
            if (param.isBlank() || param.contains("&") || param.contains("=")) {
                throw new InvalidRule(i, name, "key.query", "'" + param + "' is not a parameter name");
            }
        }
        List<String> keyHeaders = new ArrayList<>();
        for (String h : k.headers()) {
            String header = h.trim().toLowerCase(Locale.ROOT);
            if (!TOKEN.matcher(header).matches()) {
                throw new InvalidRule(i, name, "key.headers", "'" + h + "' is not a header name");
            }
            if (CREDENTIALS.contains(header)) {
                throw new InvalidRule(i, name, "key.headers", h + " holds credentials: key on it with per-user (a keyed hash), "
                        + "or on named cookies with key.cookies");
            }
            keyHeaders.add(header);
        }
        List<String> cookies = new ArrayList<>();
        for (String c : k.cookies()) {
            if (!TOKEN.matcher(c.trim()).matches()) {
                throw new InvalidRule(i, name, "key.cookies", "'" + c + "' is not a cookie name");
            }
            cookies.add(c.trim());
        }
        String userHeader = null;
        String userCookie = null;
        String userSession = null;
        if (spec.perUser().isPresent()) {
            RouteSpec.PerUser u = spec.perUser().get();
            int given = (u.header().isPresent() ? 1 : 0) + (u.cookie().isPresent() ? 1 : 0) + (u.session().isPresent() ? 1 : 0);
            if (given != 1) {
                throw new InvalidRule(i, name, "per-user", "name the identity with one of header, cookie or session");
            }
            if (u.session().isPresent()) {
                userSession = u.session().get().trim();
                if (userSession.isEmpty() || !TOKEN.matcher(userSession).matches()) {
                    throw new InvalidRule(i, name, "per-user.session", "'" + u.session().get() + "' is not a session field name");
                }
            } else if (u.header().isPresent()) {
                userHeader = u.header().get().trim().toLowerCase(Locale.ROOT);
                if (!TOKEN.matcher(userHeader).matches() || userHeader.equals("cookie")) {
                    throw new InvalidRule(i, name, "per-user.header", "'" + u.header().get() + "' is not a header name (for a cookie, use per-user.cookie)");
                }
            } else {
                userCookie = u.cookie().get().trim();
                if (!TOKEN.matcher(userCookie).matches()) {
                    throw new InvalidRule(i, name, "per-user.cookie", "'" + u.cookie().get() + "' is not a cookie name");
                }
            }
            if (hash == null) {
                throw new InvalidRule(i, name, "per-user", "needs OUTRIGGER_KEY_SECRET (outrigger.key-secret), the key of the hash that stands for the user in cache keys");
            }
        }
        if (userHeader != null && keyHeaders.contains(userHeader)) {
            throw new InvalidRule(i, name, "key.headers", userHeader + " is the per-user identity: per-user keys a hash of it; "
                    + "keying it as well would put the raw value in the key");
        }
        if (userCookie != null && cookies.contains(userCookie)) {
            throw new InvalidRule(i, name, "key.cookies", userCookie + " is the per-user identity: per-user keys a hash of it; "
                    + "keying it as well would put the raw value in the key");
        }
        for (String template : spec.tags()) {
            if (template.isBlank() || template.chars().anyMatch(c -> c <= ' ' || c == ',')) {
                throw new InvalidRule(i, name, "tags", "'" + template + "': a tag has no spaces or commas");
            }
            var v = TAG_VARIABLE.matcher(template);
            while (v.find()) {
                if (path == null || !path.variables().contains(v.group(1))) {
                    throw new InvalidRule(i, name, "tags", "'" + template + "' names {" + v.group(1)
                            + "}, which match.path does not capture");
                }
            }
            String literal = TAG_VARIABLE.matcher(template).replaceAll("");
            if (literal.contains("{") || literal.contains("}")) {
                throw new InvalidRule(i, name, "tags", "'" + template + "': a variable is written {name}");
            }
        }
        KeySpec key = new KeySpec(k.include().stream().map(String::trim).toList(), k.exclude().stream().map(String::trim).toList(),
                k.ignoreQuery(), k.sortQuery(), keyHeaders, cookies, userHeader, userCookie, userSession,
                userHeader == null && userCookie == null && userSession == null ? null : hash);
        RouteTtl ttl = new RouteTtl(mode, spec.ttl(), statusTtl, spec.staleWhileRevalidate(), spec.staleIfError());
        Optional<String> auth = spec.auth().map(a -> a.trim().toLowerCase(Locale.ROOT));
        if (auth.isPresent() && !Set.of("required", "optional", "none").contains(auth.get())) {
            throw new InvalidRule(i, name, "auth", "'" + spec.auth().get() + "': use required, optional or none");
        }
        return new Route(name, i, path, methods, host, headers, ttl, key, spec.lookup(), spec.store(), spec.tags(), auth);
    }

    /** Lifetimes become Cache-Control directives, which count whole seconds (RFC 9111 §1.2.2). */
    private static void seconds(int i, String name, String field, Optional<Duration> d) {
        if (d.isPresent() && d.get().isNegative()) {
            throw new InvalidRule(i, name, field, "must not be negative");
        }
        if (d.isPresent() && d.get().getNano() != 0) {
            throw new InvalidRule(i, name, field, d.get() + " is not whole seconds: Cache-Control lifetimes count seconds");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The route a request takes, and the path variables it captured. */
    public record Match(Route route, Map<String, String> variables) {}

    private static final Match DEFAULT = new Match(Route.DEFAULT, Map.of());

    /**
     * The first route that takes the request, or the default route.
     *
     * @param host the normalised authority (port included when not the default)
     * @param path the normalised path, without query
     * @param headers the request's header lines by lowercase name
     */
    public Match match(String method, String host, String path, Function<String, List<String>> headers) {
        String hostName = hostName(host);
        for (Route r : routes) {
            Optional<Map<String, String>> vars = r.match(method, hostName, path, headers);
            if (vars.isPresent()) {
                return new Match(r, vars.get());
            }
        }
        return DEFAULT;
    }

    /**
     * The targets a GET for {@code target} may be keyed by, other than itself: what a purge by URL must name
     * too, since entries are checked against the target as their route keyed it. Every route that may take the
     * request counts (its header conditions cannot be known), up to one that surely does.
     *
     * @param host the normalised authority, or null for a purge that names a path on any host
     * @param target the normalised origin-form target
     */
    public List<String> keyedTargets(String host, String target) {
        return targets(host, target, r -> !r.keyedTarget(target).equals(target));
    }

    /**
     * The keyed targets under which a GET for {@code target} may have entries per header or cookie value that
     * many clients share (routes that key request headers or cookies, but not a user): what a write to the
     * URL must purge beyond the key it carried (RFC 9111 §4.4). Every route that may take the GET counts, up
     * to one that surely does; empty when none keys such variants.
     */
    public List<String> sharedVariantTargets(String host, String target) {
        return targets(host, target, Route::keysSharedVariants);
    }

    /**
     * The distinct targets, as each keys it, of the routes {@code counted} picks among those that may take a GET for
     * {@code target} on {@code host} (null: any host), in order, up to the first that surely takes it.
     */
    private List<String> targets(String host, String target, java.util.function.Predicate<Route> counted) {
        String hostName = host == null ? null : hostName(host);
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        List<String> targets = new ArrayList<>();
        for (Route r : routes) {
            if (r.mayTake(hostName, path).isEmpty()) {
                continue;
            }
            String keyed = r.keyedTarget(target);
            if (counted.test(r) && !targets.contains(keyed)) {
                targets.add(keyed);
            }
            if (r.certain(hostName)) {
                break;
            }
        }
        return targets;
    }

    /** For explain: each route in order, with why it did not take the request, up to the one that did. */
    public List<Map<String, Object>> trace(String method, String host, String path, Function<String, List<String>> headers) {
        String hostName = hostName(host);
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Route r : routes) {
            String why = r.whyNot(method, hostName, path, headers);
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("route", r.name());
            step.put("matched", why == null);
            if (why != null) {
                step.put("because", why);
            }
            steps.add(step);
            if (why == null) {
                break;
            }
        }
        return steps;
    }

    /** The names a route tag in metrics can take: every route's and {@code default}. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        routes.forEach(r -> names.add(r.name()));
        names.add(Route.DEFAULT.name());
        return names;
    }

    /** What compiled but is likely not what was meant, one line each (logged at start-up). */
    public List<String> warnings() {
        return warnings;
    }

    public boolean isEmpty() {
        return routes.isEmpty();
    }

    /** The host without its port: routes match on names. */
    private static String hostName(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(0, end + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }
}
