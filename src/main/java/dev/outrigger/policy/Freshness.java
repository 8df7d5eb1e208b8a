package dev.outrigger.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** Age and freshness lifetime of a stored response, as a shared cache computes them (RFC 9111 §4.2). Pure: {@code now} is a parameter. */
public final class Freshness {

    /** Status codes heuristically cacheable by default (RFC 9110 §15.1). */
    public static final Set<Integer> HEURISTICALLY_CACHEABLE =
            Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

    /** When this cache sent the request that produced a stored response, and when it received the response head. */
    public record Timing(Instant requestTime, Instant responseTime) {}

    /** A freshness lifetime; {@code heuristic} when it came from Last-Modified rather than the origin's word. */
    public record Lifetime(Duration value, boolean heuristic) {}

    /**
     * Heuristic freshness (RFC 9111 §4.2.2): {@code fraction} of the time since Last-Modified, at most
     * {@code cap}. A fraction of 0 turns heuristics off.
     */
    public record Heuristics(double fraction, Duration cap) {
        public static final Heuristics DEFAULT = new Heuristics(0.1, Duration.ofDays(1));
        public static final Heuristics OFF = new Heuristics(0, Duration.ZERO);
    }

    private Freshness() {}

    /** current_age (RFC 9111 §4.2.3). */
    public static Duration currentAge(Headers response, Timing timing, Instant now) {
        return currentAge(correctedInitialAge(response, timing), timing, now);
    }

    /** current_age from a corrected_initial_age computed once (RFC 9111 §4.2.3: it never changes). */
    public static Duration currentAge(Duration correctedInitialAge, Timing timing, Instant now) {
        Duration residentTime = nonNegative(Duration.between(timing.responseTime(), now));
        return correctedInitialAge.plus(residentTime);
    }

    /** corrected_initial_age (RFC 9111 §4.2.3): the age the response had when it was received. */
    public static Duration correctedInitialAge(Headers response, Timing timing) {
        Instant dateValue = response.first("Date").flatMap(HttpDate::parse).orElse(timing.responseTime());
        Duration ageValue = ageHeader(response).orElse(Duration.ZERO);
        Duration apparentAge = nonNegative(Duration.between(dateValue, timing.responseTime()));
        Duration responseDelay = nonNegative(Duration.between(timing.requestTime(), timing.responseTime()));
        Duration correctedAgeValue = ageValue.plus(responseDelay);
        return max(apparentAge, correctedAgeValue);
    }

    /**
     * freshness_lifetime for a shared cache (RFC 9111 §4.2.1): s-maxage, else max-age, else Expires minus
     * Date, else a heuristic where allowed. An invalid s-maxage, max-age or Expires is a zero lifetime
     * (stale at once), not a missing one. Empty when nothing gives the response any freshness.
     */
    public static Optional<Lifetime> lifetime(int status, Headers response, CacheControl cc, Timing timing,
                                              Heuristics heuristics) {
        for (String directive : new String[] {"s-maxage", "max-age"}) {
            if (cc.has(directive)) {
                return Optional.of(new Lifetime(cc.seconds(directive).orElse(Duration.ZERO), false));
            }
        }
        Instant dateValue = response.first("Date").flatMap(HttpDate::parse).orElse(timing.responseTime());
        Optional<String> expires = response.first("Expires");
        if (expires.isPresent()) {
            Duration d = expires.flatMap(HttpDate::parse)
                    .map(e -> nonNegative(Duration.between(dateValue, e)))
                    .orElse(Duration.ZERO); // §5.3: an invalid Expires means already expired
            return Optional.of(new Lifetime(d, false));
        }
        boolean heuristicAllowed = HEURISTICALLY_CACHEABLE.contains(status) || cc.has("public");
        if (heuristicAllowed && heuristics.fraction() > 0) {
            Optional<Instant> lastModified = response.first("Last-Modified").flatMap(HttpDate::parse);
            if (lastModified.isPresent()) {
                Duration sinceModified = nonNegative(Duration.between(lastModified.get(), dateValue));
                Duration h = Duration.ofMillis((long) (sinceModified.toMillis() * heuristics.fraction()));
                return Optional.of(new Lifetime(min(h, heuristics.cap()), true));
            }
        }
        return Optional.empty();
    }

    /**
     * The Age header as delta-seconds (RFC 9111 §5.1); empty when absent or not a non-negative integer
     * ("10 seconds", "-5", "1.5"), which a cache ignores. A list-valued Age counts by its first member.
     */
    static Optional<Duration> ageHeader(Headers response) {
        return response.first("Age").flatMap(v -> {
            int comma = v.indexOf(',');
            String t = (comma >= 0 ? v.substring(0, comma) : v).trim();
            if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            long s = t.length() > 10 ? CacheControl.DELTA_SECONDS_MAX : Math.min(Long.parseLong(t), CacheControl.DELTA_SECONDS_MAX);
            return Optional.of(Duration.ofSeconds(s));
        });
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
