package dev.outrigger.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outrigger.purge.Purges.Verdict;
import dev.outrigger.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which entries a purge invalidates, and which it leaves alone. */
class PurgesTest {

    static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
    final MutableClock clock = new MutableClock(T);
    final Purges purges = new Purges(clock, Duration.ofMillis(100), Duration.ofDays(7));
    /** An entry fetched a second before the purges below. */
    final Instant before = T.minusSeconds(1);

    static Purge tags(String... tags) {
        return new Purge(List.of(), List.of(tags), List.of(), false, false, 0);
    }

    static Purge urls(String... urls) {
        return new Purge(List.of(urls), List.of(), List.of(), false, false, 0);
    }

    @Test
    void nothingPurgedLeavesEveryEntryAlone() {
        assertEquals(Verdict.NONE, purges.check("shop.example", "/a", List.of("t"), before));
    }

    @Test
    void aTagPurgeInvalidatesEntriesCarryingTheTagOnly() {
        purges.apply(tags("product-7"));

        assertEquals(Verdict.HARD, purges.check("shop.example", "/p/7", List.of("shoes", "product-7"), before));
        assertEquals(Verdict.NONE, purges.check("shop.example", "/p/8", List.of("shoes", "product-8"), before));
    }

    @Test
    void purgeUrlsAreNormalisedAsTheCacheKeyIs() {
        purges.apply(urls("/shop/%2e%2e/shop/%69tem?q=%7b", "HTTP://Shop.Example:80/a/./b"));

        assertEquals(Verdict.HARD, purges.check("shop.example", "/shop/item?q=%7B", List.of(), before));
        assertEquals(Verdict.HARD, purges.check("shop.example", "/a/b", List.of(), before));
        assertEquals(Verdict.NONE, purges.check("other.example", "/a/b", List.of(), before), "that host only");
    }

    @Test
    void purgePrefixesAreNormalisedToo() {
        purges.apply(new Purge(List.of(), List.of(), List.of("/%69mg/"), false, false, 0));

        assertEquals(Verdict.HARD, purges.check("shop.example", "/img/logo.png", List.of(), before));
    }

    @Test
    void anEntryFetchedAfterThePurgeIsValid() {
        purges.apply(tags("t"));
        clock.advance(Duration.ofSeconds(1));

        assertEquals(Verdict.NONE, purges.check("h", "/a", List.of("t"), clock.instant()));
    }

    @Test
    void aFetchStartedRightAfterAPurgeIsStampedPastIt() {
        purges.apply(tags("t")); // threshold: now + the 100 ms skew allowance

        Instant stamp = purges.stamp(clock.instant());

        assertEquals(Verdict.NONE, purges.check("h", "/a", List.of("t"), stamp), "a refresh is not purged again");
    }

    @Test
    void aPathUrlPurgeMatchesEveryHostAndOnlyThatQuery() {
        purges.apply(urls("/products/7?lang=en"));

        assertEquals(Verdict.HARD, purges.check("shop.example", "/products/7?lang=en", List.of(), before));
        assertEquals(Verdict.HARD, purges.check("other.example:8480", "/products/7?lang=en", List.of(), before));
        assertEquals(Verdict.NONE, purges.check("shop.example", "/products/7?lang=de", List.of(), before));
        assertEquals(Verdict.NONE, purges.check("shop.example", "/products/7", List.of(), before));
    }

    @Test
    void anAbsoluteUrlPurgeMatchesItsHostOnly() {
        purges.apply(urls("https://Shop.Example/products/7"));

        assertEquals(Verdict.HARD, purges.check("shop.example", "/products/7", List.of(), before));
        assertEquals(Verdict.NONE, purges.check("other.example", "/products/7", List.of(), before));
    }

    @Test
    void aPrefixPurgeMatchesEveryTargetStartingWithIt() {
        purges.apply(new Purge(List.of(), List.of(), List.of("/img/"), false, false, 0));

        assertEquals(Verdict.HARD, purges.check("h", "/img/a.png?v=2", List.of(), before));
        assertEquals(Verdict.NONE, purges.check("h", "/imgs/a.png", List.of(), before));
    }

    @Test
    void aFlushInvalidatesEverythingFetchedBeforeIt() {
        purges.apply(new Purge(List.of(), List.of(), List.of(), true, false, 0));

        assertEquals(Verdict.HARD, purges.check("h", "/anything", List.of(), before));
    }

    @Test
    void aSoftPurgeMakesEntriesStaleAndAHardOneWins() {
        purges.apply(new Purge(List.of(), List.of("t"), List.of(), false, true, 0));
        assertEquals(Verdict.SOFT, purges.check("h", "/a", List.of("t"), before));

        purges.apply(tags("t"));
        assertEquals(Verdict.HARD, purges.check("h", "/a", List.of("t"), before));
    }

    @Test
    void thePurgeTimeIsWhenItWasIssuedSoEveryPodAgrees() {
        long issued = T.minusMillis(500).toEpochMilli();
        long threshold = purges.apply(tags("t").issuedAt(issued));

        assertEquals(issued * 1000 + 100_000, threshold);
        assertEquals(Verdict.NONE, purges.check("h", "/a", List.of("t"), T.minusMillis(399)), "fetched after issue + skew");
    }

    @Test
    void aThresholdFromTheFutureIsHeldToNowSoStampsCannotOutrunLaterPurges() {
        purges.applyRecord("t:t", false, Purges.micros(T.plus(Duration.ofDays(365))));

        assertTrue(!purges.stamp(T).isAfter(T.plusMillis(100)), "stamps stay within the skew of now");
    }

    @Test
    void recordsOlderThanAnyEntryCanBeAreForgotten() {
        purges.apply(tags("old"));
        clock.advance(Duration.ofDays(8));
        purges.apply(tags("new"));

        assertEquals(1, purges.prune());
        assertEquals(1, purges.size());
    }
}
