package dev.outrigger.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a route's cache key is made of beyond scheme, host and path, compiled once: the query parameters
 * kept (and their order), request headers, cookies and the user's identity (DESIGN rule 15: what is not
 * keyed is not forwarded on a cached request either, so dropped parameters and cookies never reach the
 * application from a request whose answer is shared).
 */
final class KeySpec {

    /** The key of the default route: the target as it came, no further components. */
    static final KeySpec NONE = new KeySpec(List.of(), List.of(), false, false, List.of(), List.of(), null, null, null, null);

    private final List<String> includeGlobs;
    private final List<String> excludeGlobs;
    private final List<Pattern> include;
    private final List<Pattern> exclude;
    private final boolean ignoreQuery;
    private final boolean sortQuery;
    /** Lowercase header names. */
    private final List<String> headers;
    private final List<String> cookies;
    /** The per-user identity: a header (lowercase) or a cookie; null when the route is not per-user. */
    private final String userHeader;
    private final String userCookie;
    /** The session field that names the user (sessions on: the proxy's resolved session, never a client's). */
    private final String userSession;
    private final UserHash userHash;

    /** {@code include}, {@code exclude}: query parameter name globs; {@code headers}: lowercase names. */
    KeySpec(List<String> include, List<String> exclude, boolean ignoreQuery, boolean sortQuery, List<String> headers,
            List<String> cookies, String userHeader, String userCookie, String userSession, UserHash userHash) {
        this.userSession = userSession;
        this.includeGlobs = List.copyOf(include);
        this.excludeGlobs = List.copyOf(exclude);
        this.include = include.stream().map(g -> Globs.value(g, false)).toList();
        this.exclude = exclude.stream().map(g -> Globs.value(g, false)).toList();
        this.ignoreQuery = ignoreQuery;
        this.sortQuery = sortQuery;
        this.headers = List.copyOf(headers);
        this.cookies = List.copyOf(cookies);
        this.userHeader = userHeader;
        this.userCookie = userCookie;
        this.userHash = userHash;
    }

    boolean perUser() {
        return userHash != null;
    }

    /**
     * The lowercase request fields the key covers: forwarded on a fetch made for everyone, and a response
     * fetched with them may be stored ({@code cookie} when cookies or a user cookie are keyed).
     */
    List<String> keyedFields() {
        List<String> fields = new ArrayList<>(headers);
        if (userHeader != null && !fields.contains(userHeader)) {
            fields.add(userHeader);
        }
        if ((!cookies.isEmpty() || userCookie != null) && !fields.contains("cookie")) {
            fields.add("cookie");
        }
        return List.copyOf(fields);
    }

    /** The key holds request headers or cookies, but no user: one URL has entries others may share, one per value. */
    boolean keysSharedVariants() {
        return (!headers.isEmpty() || !cookies.isEmpty()) && userHash == null;
    }

    /**
     * What kind of identity the user component hashes, and which field: hashed with the value, so that a value in a
     * client-sent header can never stand for the same user as that value in a resolved session (or a cookie).
     */
    private String identityKind() {
        return userHeader != null ? "header:" + userHeader : userCookie != null ? "cookie:" + userCookie : "session:" + userSession;
    }

    /** The session field that keys the user, when the route is per-user by session. */
    Optional<String> userSession() {
        return Optional.ofNullable(userSession);
    }

    /** Whether the route keys cookies: then only those (and a user cookie) are forwarded on its cached requests. */
    boolean filtersCookies() {
        return !cookies.isEmpty() || userCookie != null;
    }

    /**
     * The key of one request.
     *
     * @param target the normalised origin-form target
     * @param request the request's header lines by name
     */
    Keyed apply(String target, Function<String, List<String>> request) {
        return apply(target, request, field -> Optional.empty());
    }

    /**
     * The key of one request whose resolved session's top-level fields {@code session} gives (empty: no session).
     */
    Keyed apply(String target, Function<String, List<String>> request, Function<String, Optional<String>> session) {
        String kept = query(target);
        List<KeyComponent> parts = new ArrayList<>();
        for (String h : headers) {
            List<String> values = request.apply(h);
            parts.add(KeyComponent.of(KeyComponent.Kind.HEADER, h, values.isEmpty() ? null : normalize(String.join(", ", values))));
        }
        Map<String, String> jar = cookies.isEmpty() && userCookie == null ? Map.of() : Cookies.jar(request.apply("cookie"));
        for (String c : cookies) {
            parts.add(KeyComponent.of(KeyComponent.Kind.COOKIE, c, jar.get(c)));
        }
        Optional<String> identity = Optional.empty();
        if (userHeader != null) {
            List<String> values = request.apply(userHeader);
            identity = values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values).trim()).filter(v -> !v.isEmpty());
        } else if (userCookie != null) {
            identity = Optional.ofNullable(jar.get(userCookie)).filter(v -> !v.isEmpty());
        } else if (userSession != null) {
            identity = session.apply(userSession).filter(v -> !v.isBlank());
        }
        if (userHash != null) {
            // absent is a component too: anonymous requests share among themselves, never with a user
            parts.add(KeyComponent.of(KeyComponent.Kind.USER, "user", identity.map(v -> userHash.of(identityKind() + "\u0000" + v)).orElse(null)));
        }
        String cookieHeader = null;
        if (filtersCookies()) {
            StringBuilder sb = new StringBuilder();
            for (var e : jar.entrySet()) {
                if (cookies.contains(e.getKey()) || e.getKey().equals(userCookie)) {
                    sb.append(sb.isEmpty() ? "" : "; ").append(e.getKey()).append('=').append(e.getValue());
                }
            }
            cookieHeader = sb.toString();
        }
        return new Keyed(kept, parts, Optional.ofNullable(cookieHeader), identity.isPresent());
    }

    /**
     * One request's key parts.
     *
     * @param target the target as keyed and forwarded (query filtered and sorted)
     * @param components typed components after the target
     * @param cookieHeader when the route keys cookies: the Cookie header to forward ("" for none)
     * @param identified a per-user route found the user's identity
     */
    record Keyed(String target, List<KeyComponent> components, Optional<String> cookieHeader, boolean identified) {}

    /** The target with the query as the route keys it. */
    String query(String target) {
        int q = target.indexOf('?');
        if (q < 0 || !ignoreQuery && include.isEmpty() && exclude.isEmpty() && !sortQuery) {
            return target;
        }
        String path = target.substring(0, q);
        if (ignoreQuery) {
            return path;
        }
        List<String> params = new ArrayList<>();
        for (String p : target.substring(q + 1).split("&", -1)) {
            if (p.isEmpty()) {
                continue; // "a=1&&b=2" is "a=1&b=2" to every parser
            }
            String name = p.substring(0, p.indexOf('=') < 0 ? p.length() : p.indexOf('='));
            if (!include.isEmpty() && include.stream().noneMatch(g -> g.matcher(name).matches())) {
                continue;
            }
            if (exclude.stream().anyMatch(g -> g.matcher(name).matches())) {
                continue;
            }
            params.add(p);
        }
        if (sortQuery) {
            // stable: repeated parameters (a=1&a=2) keep their order, which the application may read as a list
            params.sort(Comparator.comparing(p -> p.substring(0, p.indexOf('=') < 0 ? p.length() : p.indexOf('='))));
        }
        return params.isEmpty() ? path : path + "?" + String.join("&", params);
    }

    /** Whitespace collapsed and list members trimmed, as Vary values are (RFC 9111 §4.1). */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    static String normalize(String value) {
        StringBuilder sb = new StringBuilder();
        for (String element : value.split(",")) {
            String e = WHITESPACE.matcher(element.trim()).replaceAll(" ");
            if (!e.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(e);
            }
        }
        return sb.toString();
    }

    /** For explain: the key's settings in words. */
    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("query", ignoreQuery ? "ignored" : include.isEmpty() && exclude.isEmpty() ? (sortQuery ? "all, sorted" : "as sent")
                : (include.isEmpty() ? "all but " + excludeGlobs : "only " + includeGlobs
                        + (exclude.isEmpty() ? "" : " less " + excludeGlobs)) + (sortQuery ? ", sorted" : ""));
        d.put("headers", headers);
        d.put("cookies", cookies);
        d.put("per-user", userHeader != null ? "header " + userHeader : userCookie != null ? "cookie " + userCookie
                : userSession != null ? "session " + userSession : "no");
        return d;
    }
}
