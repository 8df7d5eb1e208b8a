package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The immutable header value the policy reasons about. */
class HeadersTest {

    final Headers h = Headers.of("Vary", "Accept", "vary", "Accept-Encoding, Origin", "ETag", "\"1\"");

    @Test
    void lookupIsCaseInsensitiveAndKeepsOrder() {
        assertEquals(Optional.of("Accept"), h.first("VARY"));
        assertEquals(List.of("Accept", "Accept-Encoding, Origin"), h.all("Vary"));
    }

    @Test
    void tokensSplitEveryLineOfAListField() {
        assertEquals(List.of("accept", "accept-encoding", "origin"), h.tokens("Vary"));
    }

    @Test
    void tokensAreLowercaseWhateverTheSpelling() {
        // list elements such as Pragma's no-cache and Vary's field names compare case-insensitively
        assertEquals(List.of("no-cache"), Headers.of("PRAGMA", "NO-CACHE").tokens("Pragma"));
        assertEquals(Headers.of("Vary", "Accept-Encoding").tokens("vary"), Headers.of("vary", "ACCEPT-ENCODING").tokens("Vary"));
    }

    @Test
    void withReplacesEveryLineOfAFieldAndLeavesTheOriginalAlone() {
        Headers changed = h.with("vary", "Cookie");
        assertEquals(List.of("Cookie"), changed.all("Vary"));
        assertEquals(2, h.all("Vary").size());
    }

    @Test
    void withoutDropsEveryLineOfTheNamedFields() {
        Headers less = h.without("VARY", "etag");
        assertFalse(less.contains("Vary"));
        assertFalse(less.contains("ETag"));
    }

    @Test
    void namesAndValuesMustPair() {
        assertThrows(IllegalArgumentException.class, () -> Headers.of("Vary"));
    }
}
