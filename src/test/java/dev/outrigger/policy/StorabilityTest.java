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
                row("§4.3.4 a 304 is never stored as a new entry", "GET", NONE, 304, false, "Cache-Control", "max-age=60"));
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
