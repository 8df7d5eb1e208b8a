package dev.outrigger.aggregate;

import dev.outrigger.cache.Loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Aggregates as configured: what is refused (with its name and field), part URLs and their encoding, part bodies, the hop marker. */
class AggregatesTest {

    static AggregateSpec.Part part(String name, String url) {
        return new AggregateSpec.Part(name, url, false, Optional.empty(), Optional.empty());
    }

    static AggregateSpec spec(String path, AggregateSpec.Part... parts) {
        return new AggregateSpec("profile", path, Duration.ofMillis(800), 502, List.of("Authorization"), 1 << 20, List.of(parts));
    }

    static String refused(AggregateSpec... specs) {
        return assertThrows(Aggregates.InvalidAggregate.class, () -> Aggregates.compile(List.of(specs))).getMessage();
    }

    @Test
    void matchesItsPathAndCapturesVariables() {
        Aggregates a = Aggregates.compile(List.of(spec("/bff/users/{id}/profile", part("user", "/api/users/{id}"))));
        Aggregates.Match m = a.match("/bff/users/7/profile").orElseThrow();
        assertEquals("profile", m.aggregate().name());
        assertEquals(Map.of("id", "7"), m.variables());
        assertTrue(a.match("/bff/users/7").isEmpty());
        assertTrue(a.part(0, 0).isPresent());
        assertTrue(a.part(0, 1).isEmpty());
        assertTrue(a.part(1, 0).isEmpty());
    }

    @Test
    void refusesWhatCannotWorkNamingTheAggregateAndField() {
        assertEquals("outrigger.aggregates[0] (profile): path: must start with '/'", refused(spec("bff", part("user", "/u"))));
        assertEquals("outrigger.aggregates[0] (profile): parts: between 1 and 32 parts", refused(spec("/bff")));
        assertTrue(refused(spec("/bff", part("user", "https://users.svc/u"))).startsWith(
                "outrigger.aggregates[0] (profile): parts.user.url: 'https://users.svc/u': https parts are not supported"));
        assertTrue(refused(spec("/bff", part("user", "http://{host}/u"))).contains("parts.user.url"));
        assertTrue(refused(spec("/bff", part("user", "users/7"))).contains("a path of the pod's application"));
        assertTrue(refused(spec("/bff", part("user", "/api/{id"))).contains("a variable is {name}"));
        assertTrue(refused(spec("/bff", part("user", "/api/../admin"))).contains("not a normalised request target"));
        assertTrue(refused(spec("/bff", part("_meta", "/u"))).contains("a part name is letters"));
        assertTrue(refused(spec("/bff", part("user", "/u"), part("user", "/v"))).contains("parts.user: another part has this name"));
        // a part that an aggregate answers would fan out again, without end
        assertTrue(refused(spec("/bff/**", part("self", "/bff/users/{id}"))).contains("is answered by the aggregate 'profile'"));
        assertTrue(refused(new AggregateSpec("p", "/bff", Duration.ofMillis(800), 502, List.of(), 1024,
                List.of(new AggregateSpec.Part("slow", "/s", false, Optional.empty(), Optional.of(Duration.ofSeconds(1))))))
                .contains("parts.slow.timeout: between 1ms and the aggregate's timeout (800ms)"));
        assertTrue(refused(new AggregateSpec("p", "/bff", Duration.ofMillis(800), 200, List.of(), 1024, List.of(part("a", "/a"))))
                .contains("failure-status: 200: a 5xx status"));
        assertTrue(refused(new AggregateSpec("p", "/bff", Duration.ofMillis(800), 502, List.of("Host"), 1024, List.of(part("a", "/a"))))
                .contains("headers: 'Host' is not forwarded to parts"));
        assertTrue(refused(new AggregateSpec("p", "/bff", Duration.ofMillis(800), 502, List.of("X-Session"), 1024, List.of(part("a", "/a"))))
                .contains("X-Session needs sessions on"));
        assertTrue(refused(spec("/a", part("a", "/x")), spec("/b", part("b", "/y"))).contains("another aggregate has this name"));
        assertTrue(refused(new AggregateSpec("p", "/bff", Duration.ofMillis(800), 502, List.of(), 9L << 20, List.of(part("a", "/a"))))
                .contains("max-part-size: between 1 byte and 8 MiB"));
        assertTrue(refused(new AggregateSpec("p", "/bff", Duration.ofMillis(800), 502, List.of(), List.of("a b"), 1024,
                List.of(part("a", "/a")))).contains("cookies: 'a b' is not a cookie name"));
    }

    @Test
    void valuesAreEncodedForWhereTheyStand() {
        PartTemplate t = PartTemplate.parse("/api/users/{id}?lang={lang}&x=1");
        // a value cannot add a segment, a parameter or a fragment
        assertEquals("/api/users/a%2Fb%3Fc?lang=en%26admin%3D1%23f&x=1", t.expand(Map.of("id", "a/b?c", "lang", "en&admin=1#f")));
        assertEquals("/api/users/caf%C3%A9%20x?lang=&x=1", t.expand(Map.of("id", "café x", "lang", "")));
        assertEquals("missing query parameter 'lang'", assertThrows(IllegalArgumentException.class,
                () -> t.expand(Map.of("id", "7"))).getMessage());
        // a value that would climb the path
        assertThrows(IllegalArgumentException.class, () -> t.expand(Map.of("id", "..", "lang", "en")));
        assertEquals("/api/users/..x?lang=..&x=1", t.expand(Map.of("id", "..x", "lang", "..")));
        assertThrows(IllegalArgumentException.class, () -> t.expand(Map.of("id", "", "lang", "en")), "an empty segment");
    }

    @Test
    void anAbsoluteUrlNamesItsService() {
        PartTemplate t = PartTemplate.parse("http://Orders.Shop.svc:8080/orders?user={id}");
        assertEquals("orders.shop.svc:8080", t.origin().orElseThrow().authority());
        assertEquals("/orders?user=7", t.expand(Map.of("id", "7")));
        PartTemplate bare = PartTemplate.parse("http://recs?user={id}");
        assertEquals("recs", bare.origin().orElseThrow().authority());
        assertEquals(80, bare.origin().orElseThrow().port());
        assertEquals("/?user=7", bare.expand(Map.of("id", "7")));
        assertTrue(PartTemplate.parse("/api/x").origin().isEmpty());
    }

    @Test
    void decodingTakesFormsPlusAsSpaceOnlyInTheQuery() {
        assertEquals("red shoes", PartTemplate.decode("red+shoes", true));
        assertEquals("red+shoes", PartTemplate.decode("red+shoes", false));
        assertEquals("a/b", PartTemplate.decode("a%2Fb", false));
        assertThrows(IllegalArgumentException.class, () -> PartTemplate.decode("a%2", false));
        assertThrows(IllegalArgumentException.class, () -> PartTemplate.decode("%FF", false)); // not UTF-8
    }

    @Test
    void onlyOneCompleteJsonValueIsSpliced() {
        assertNull(PartBody.problem(bytes("{\"id\":7,\"tags\":[\"a\",{\"b\":null}]}")));
        assertNull(PartBody.problem(bytes(" [1, 2.50, 1e400] ")));
        assertNull(PartBody.problem(bytes("\"plain\"")));
        assertEquals("empty body", PartBody.problem(bytes("  ")));
        assertTrue(PartBody.problem(bytes("{\"id\":")).startsWith("invalid JSON"));
        assertEquals("invalid JSON: more than one value", PartBody.problem(bytes("{} {}")));
        assertTrue(PartBody.problem(bytes("{\"a\":1}, \"_meta\": {}")).startsWith("invalid JSON"));
        assertTrue(PartBody.problem(bytes("<html></html>")).startsWith("invalid JSON"));
        assertEquals("the body is not UTF-8", PartBody.problem("{\"a\":1}".getBytes(StandardCharsets.UTF_16)));
        assertTrue(PartBody.problem(new byte[] {'"', (byte) 0xC3, '"'}).startsWith("invalid JSON")); // broken UTF-8 in a string
        assertTrue(PartBody.isJson("application/json; charset=utf-8"));
        assertTrue(PartBody.isJson("application/problem+json"));
        assertTrue(!PartBody.isJson("text/html"));
    }

    @Test
    void aHopMarkerIsThisProcessesAlone() {
        Loopback channel = new Loopback();
        String marker = channel.partMarker(2, 1, "10.0.0.9");
        assertEquals(new Loopback.Hop(2, 1, "10.0.0.9"), channel.read(marker).orElseThrow());
        assertTrue(new Loopback().read(marker).isEmpty()); // another process's secret
        assertTrue(channel.read("guess a=0 p=0").isEmpty());
        assertTrue(channel.read(marker.split(" ")[0] + " a=x p=0").isEmpty());
        assertTrue(channel.read(null).isEmpty());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
