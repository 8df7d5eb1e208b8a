package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the admin API and the channel accept as a purge, and the one-line reasons for what they refuse. */
class PurgeTest {

    record Refused(String name, String json, String reasonContains) {}

    @Test
    void everyFieldIsRead() throws Exception {
        Purge p = Purge.parse("""
                {"urls":["/products/7?lang=en","https://shop.example/a"],"tags":["t1","t2"],"prefixes":["/img/"],
                 "all":true,"soft":true}""", false);

        assertEquals(List.of("/products/7?lang=en", "https://shop.example/a"), p.urls());
        assertEquals(List.of("t1", "t2"), p.tags());
        assertEquals(List.of("/img/"), p.prefixes());
        assertTrue(p.all());
        assertTrue(p.soft());
    }

    @Test
    void malformedOrUnknownInputIsRefusedWithAReason() {
        List<Refused> rows = List.of(
                new Refused("not JSON", "{tags:", "malformed JSON"),
                new Refused("empty body", "", "malformed JSON"),
                new Refused("an array", "[\"t\"]", "JSON object"),
                new Refused("unknown field", "{\"tag\":[\"t\"]}", "unknown field \"tag\""),
                new Refused("issued_at is the channel's", "{\"tags\":[\"t\"],\"issued_at\":1}", "unknown field \"issued_at\""),
                new Refused("tags not an array", "{\"tags\":\"t\"}", "\"tags\" must be an array"),
                new Refused("a number among tags", "{\"tags\":[1]}", "non-empty strings"),
                new Refused("a blank tag", "{\"tags\":[\" \"]}", "non-empty strings"),
                new Refused("a tag with a space", "{\"tags\":[\"a b\"]}", "no spaces or commas"),
                new Refused("all not a boolean", "{\"all\":\"yes\"}", "\"all\" must be true or false"),
                new Refused("nothing to purge", "{\"soft\":true}", "nothing to purge"),
                new Refused("a relative url", "{\"urls\":[\"products/7\"]}", "a url is a path"),
                new Refused("a prefix without /", "{\"prefixes\":[\"img\"]}", "a prefix is a path"));
        for (Refused row : rows) {
            Purge.Invalid e = assertThrows(Purge.Invalid.class, () -> Purge.parse(row.json(), false), row.name());
            assertTrue(e.getMessage().contains(row.reasonContains()), row.name() + ": " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), row.name() + ": one line");
        }
    }

    @Test
    void tooManyTargetsAreRefused() {
        String tags = String.join(",", java.util.Collections.nCopies(Purge.MAX_TARGETS + 1, "\"t\""));
        assertThrows(Purge.Invalid.class, () -> Purge.parse("{\"tags\":[" + tags + "]}", false));
    }

    @Test
    void theChannelFormRoundTripsWithWhenItWasIssued() throws Exception {
        Purge p = new Purge(List.of("/a"), List.of("t"), List.of("/p/"), false, true, 0).issuedAt(1_700_000_000_000L);

        assertEquals(p, Purge.parse(p.toJson(), true));
    }
}
