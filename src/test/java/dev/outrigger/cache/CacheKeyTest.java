package dev.outrigger.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored form of a primary key: unambiguous components, never a Redis Cluster hash tag. */
class CacheKeyTest {

    static String key(String... parts) {
        return new CacheKey("http", "h", "/", List.of(parts)).value();
    }

    @Test
    void theBaseIsSchemeAuthorityAndTarget() {
        assertEquals("http://shop.test/p?q=1", new CacheKey("http", "shop.test", "/p?q=1").value());
    }

    @Test
    void partsAreLengthPrefixedAsWritten() {
        assertEquals("http://h/\n23:x-forwarded-proto=https", key("x-forwarded-proto=https"));
        assertEquals("http://h/\n9:x=%7Ba%7D", key("x={a}"));
    }

    @Test
    void onePartCannotPassForTwo() {
        assertNotEquals(key("a=1\n3:b=2"), key("a=1", "b=2"));
    }

    @Test
    void anEscapedBraceAndALiteralEscapeStayApart() {
        assertNotEquals(key("x={%7B"), key("x=%7B{"), "the raw values differ, and are forwarded differently");
        assertNotEquals(key("x={"), key("x=%7B"));
    }

    @Test
    void noKeyHoldsABrace() {
        String key = new CacheKey("http", "h", "/t/{user}", List.of("x-forwarded-prefix={tag}")).value();
        assertFalse(key.contains("{") || key.contains("}"), key);
    }
}
