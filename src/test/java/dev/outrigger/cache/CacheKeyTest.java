package dev.outrigger.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.outrigger.rules.KeyComponent;
import dev.outrigger.rules.KeyComponent.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored form of a primary key: typed, unambiguous components, never a Redis Cluster hash tag. */
class CacheKeyTest {

    static String key(KeyComponent... parts) {
        return new CacheKey("http", "h", "/", List.of(parts)).value();
    }

    static KeyComponent header(String name, String value) {
        return KeyComponent.of(Kind.HEADER, name, value);
    }

    @Test
    void theBaseIsSchemeAuthorityAndTarget() {
        assertEquals("http://shop.test/p?q=1", new CacheKey("http", "shop.test", "/p?q=1").value());
    }

    @Test
    void partsAreTypedAndLengthPrefixedAsWritten() {
        assertEquals("http://h/\nf17:x-forwarded-proto=5:https", key(KeyComponent.of(Kind.FORWARDED, "x-forwarded-proto", "https")));
        assertEquals("http://h/\nh1:x=7:%7Ba%7D", key(header("x", "{a}")));
        assertEquals("http://h/\nu4:user!", key(KeyComponent.of(Kind.USER, "user", null)));
    }

    @Test
    void onePartCannotPassForTwo() {
        assertNotEquals(key(header("a", "1\nh1:b=1:2")), key(header("a", "1"), header("b", "2")));
        assertNotEquals(key(header("a=1", "2")), key(header("a", "1=2")));
    }

    @Test
    void aKindCannotPassForAnother() {
        assertNotEquals(key(header("currency", "EUR")), key(KeyComponent.of(Kind.COOKIE, "currency", "EUR")));
    }

    @Test
    void anAbsentFieldIsNotAnEmptyOne() {
        assertNotEquals(key(header("accept-language", null)), key(header("accept-language", "")));
        assertNotEquals(key(KeyComponent.of(Kind.USER, "user", null)), key());
    }

    @Test
    void anEscapedBraceAndALiteralEscapeStayApart() {
        assertNotEquals(key(header("x", "{%7B")), key(header("x", "%7B{")), "the raw values differ, and are forwarded differently");
        assertNotEquals(key(header("x", "{")), key(header("x", "%7B")));
    }

    @Test
    void noKeyHoldsABrace() {
        String key = new CacheKey("http", "h", "/t/{user}", List.of(header("x-forwarded-prefix", "{tag}"),
                KeyComponent.of(Kind.COOKIE, "{c}", "}"))).value();
        assertFalse(key.contains("{") || key.contains("}"), key);
    }
}
