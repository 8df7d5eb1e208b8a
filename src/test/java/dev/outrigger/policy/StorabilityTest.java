package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.outrigger.policy.Storability.NotStorable;
import dev.outrigger.policy.Storability.Verdict;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a shared cache may store (RFC 9111 §3), one row per rule. */
class StorabilityTest {

    static final Headers NONE = Headers.EMPTY;

    static Stream<Arguments> rows() {
        return Stream.of(
                row("§3 GET 200 with max-age is stored", "GET", NONE, 200, true, "Cache-Control", "max-age=60"),
                row("§3 GET 200 without freshness is stored (heuristically cacheable status)", "GET", NONE, 200, true),
                row("§3 POST responses are not stored", "POST", NONE, 200, false, "Cache-Control", "max-age=60"),
                row("§4.3.5 HEAD responses are not stored (HEAD is served from a stored GET)", "HEAD", NONE, 200, false, "Cache-Control", "max-age=60"),
                row("§3 a 302 without explicit freshness is not stored", "GET", NONE, 302, false),
                row("§3 a 302 with max-age is stored", "GET", NONE, 302, true, "Cache-Control", "max-age=60"),
                row("§3 a 500 with public is stored", "GET", NONE, 500, true, "Cache-Control", "public, max-age=5"),
                row("§3 206 partial content is not stored (no range support)", "GET", NONE, 206, false, "Cache-Control", "max-age=60"),
                row("§5.2.2.5 response no-store", "GET", NONE, 200, false, "Cache-Control", "max-age=60, no-store"),
                row("§5.2.1.5 request no-store", "GET", Headers.of("Cache-Control", "no-store"), 200, false, "Cache-Control", "max-age=60"),
                row("§5.2.2.3 must-understand with an understood status overrides no-store", "GET", NONE, 200, true, "Cache-Control", "must-understand, no-store, max-age=60"),
                row("§5.2.2.3 must-understand with a status not understood is not stored", "GET", NONE, 299, false, "Cache-Control", "must-understand, max-age=60"),
                row("§5.2.2.7 private is not stored by a shared cache", "GET", NONE, 200, false, "Cache-Control", "private, max-age=60"),
                row("§5.2.2.7 qualified private is not stored either", "GET", NONE, 200, false, "Cache-Control", "private=\"X-User\", max-age=60"),
                row("§3.5 Authorization without permission is not stored", "GET", Headers.of("Authorization", "Bearer t"), 200, false, "Cache-Control", "max-age=60"),
                row("§3.5 Authorization with public is stored", "GET", Headers.of("Authorization", "Bearer t"), 200, true, "Cache-Control", "public, max-age=60"),
                row("§3.5 Authorization with s-maxage is stored", "GET", Headers.of("Authorization", "Bearer t"), 200, true, "Cache-Control", "s-maxage=60"),
                row("§3.5 Authorization with must-revalidate is stored", "GET", Headers.of("Authorization", "Bearer t"), 200, true, "Cache-Control", "must-revalidate, max-age=60"),
                row("§4.1 Vary: * is never stored", "GET", NONE, 200, false, "Cache-Control", "max-age=60", "Vary", "Accept, *"),
                row("Set-Cookie is not stored by default", "GET", NONE, 200, false, "Cache-Control", "max-age=60", "Set-Cookie", "sid=1"),
                row("§3 1xx is never stored", "GET", NONE, 103, false),
                row("§4.3.4 a 304 is never stored as a new entry", "GET", NONE, 304, false, "Cache-Control", "max-age=60"),
                // credentials: only the origin's explicit word stores a response to them
                row("Cookie without explicit freshness is not stored", "GET", COOKIE, 200, false),
                row("Cookie with only Last-Modified is not stored (no heuristic)", "GET", COOKIE, 200, false, "Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT"),
                row("Cookie with public alone is not stored", "GET", COOKIE, 200, false, "Cache-Control", "public"),
                row("Cookie with max-age is stored", "GET", COOKIE, 200, true, "Cache-Control", "max-age=60"),
                row("Cookie with s-maxage is stored", "GET", COOKIE, 200, true, "Cache-Control", "s-maxage=60"),
                row("Cookie with Expires is stored", "GET", COOKIE, 200, true, "Expires", "Thu, 01 Jan 2026 00:00:00 GMT"),
                row("an empty Cookie is still a Cookie", "GET", Headers.of("Cookie", ""), 200, false),
                row("§3.5 Authorization with public alone is not stored", "GET", AUTHORIZATION, 200, false, "Cache-Control", "public"),
                row("§3.5 Authorization with must-revalidate alone is not stored", "GET", AUTHORIZATION, 200, false, "Cache-Control", "must-revalidate"),
                row("§3.5 Authorization with public and Expires is stored", "GET", AUTHORIZATION, 200, true, "Cache-Control", "public", "Expires", "Thu, 01 Jan 2026 00:00:00 GMT"),
                row("§3.5 Authorization and Cookie with public and max-age are stored", "GET", Headers.of("Authorization", "Bearer t", "Cookie", "a=1"), 200, true, "Cache-Control", "public, max-age=60"),
                row("without credentials Last-Modified alone is stored", "GET", NONE, 200, true, "Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT"),
                row("without credentials public alone is stored", "GET", NONE, 200, true, "Cache-Control", "public"),
                // §5.2: directive names are case-insensitive
                row("§5.2 Private is private", "GET", NONE, 200, false, "Cache-Control", "Private, max-age=60"),
                row("§5.2 NO-STORE is no-store", "GET", NONE, 200, false, "Cache-Control", "NO-STORE, max-age=60"),
                row("§5.2 Authorization with S-MAXAGE is stored", "GET", AUTHORIZATION, 200, true, "Cache-Control", "S-MAXAGE=60"),
                row("§5.2 Authorization with Public and Max-Age is stored", "GET", AUTHORIZATION, 200, true, "Cache-Control", "Public, Max-Age=60"),
                row("§4.1 Vary: * in any spelling", "GET", NONE, 200, false, "Cache-Control", "max-age=60", "VARY", "*"));
    }

    static final Headers COOKIE = Headers.of("Cookie", "sid=1");
    static final Headers AUTHORIZATION = Headers.of("Authorization", "Bearer t");

    @ParameterizedTest(name = "reason: {2}")
    @MethodSource("reasons")
    void credentialRulesSayWhichOneRefused(Headers request, Headers response, String reason) {
        assertEquals(new NotStorable(reason), Storability.forSharedCache("GET", request, 200, response, false));
    }

    static Stream<Arguments> reasons() {
        String noExplicit = "no explicit freshness for a request with credentials";
        return Stream.of(
                Arguments.of(AUTHORIZATION, Headers.of("Cache-Control", "max-age=60"), "Authorization without public, s-maxage or must-revalidate"),
                Arguments.of(AUTHORIZATION, Headers.EMPTY, "Authorization without public, s-maxage or must-revalidate"),
                Arguments.of(AUTHORIZATION, Headers.of("Cache-Control", "public"), noExplicit),
                Arguments.of(COOKIE, Headers.EMPTY, noExplicit),
                Arguments.of(COOKIE, Headers.of("Cache-Control", "public", "ETag", "\"v1\""), noExplicit));
    }

    static Arguments row(String rule, String method, Headers request, int status, boolean stored, String... response) {
        return Arguments.of(rule, method, request, status, Headers.of(response), stored);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void sharedCacheStoresOnlyWhatTheRfcAllows(String rule, String method, Headers request, int status, Headers response, boolean stored) {
        Verdict v = Storability.forSharedCache(method, request, status, response, false);
        assertEquals(stored, v instanceof Storability.Storable, () -> rule + ": " + (v instanceof NotStorable n ? n.reason() : "stored"));
    }

    @ParameterizedTest(name = "a rule may allow storing a response with Set-Cookie")
    @MethodSource("setCookie")
    void setCookieCanBeAllowedByARule(Headers response) {
        assertEquals(new Storability.Storable(), Storability.forSharedCache("GET", NONE, 200, response, true));
    }

    static Stream<Headers> setCookie() {
        return Stream.of(Headers.of("Cache-Control", "max-age=60", "Set-Cookie", "sid=1"));
    }
}
