package dev.outrigger.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Whether Redis bounds the cache's memory: read once Redis first answers ({@code INFO memory}, which managed
 * Redis services allow where {@code CONFIG GET} is refused). A Redis without {@code maxmemory} grows until
 * its host or container runs out; one with {@code noeviction} refuses every write once full, and the cache
 * stops storing. Either way the operator gets one warning that says what to set, and the health data shows it.
 */
public final class RedisMemory {

    private static final Logger LOG = Logger.getLogger(RedisMemory.class);

    /** What Redis reported: {@code maxmemory} in bytes (0: no limit) and its eviction policy. */
    public record Limits(long maxmemory, String policy) {

        /** Bounded, and makes room for new entries when full. */
        public boolean bounded() {
            return maxmemory > 0 && !"noeviction".equals(policy);
        }

        /** One line for health data and the log. */
        public String describe() {
            if (maxmemory <= 0) {
                return "unbounded: Redis has no maxmemory, the cache grows until Redis runs out of memory; set maxmemory "
                        + "(about 75% of its memory limit) and maxmemory-policy allkeys-lru";
            }
            String limit = "maxmemory " + maxmemory / (1024 * 1024) + " MiB, " + policy;
            return bounded() ? "bounded (" + limit + ")"
                    : "full-stops-writes (" + limit + "): once full every cache write fails; set maxmemory-policy allkeys-lru";
        }
    }

    private final Redis redis;
    private volatile Optional<Limits> limits = Optional.empty();

    public RedisMemory(Redis redis) {
        this.redis = redis;
    }

    /** What Redis reported, once it has. */
    public Optional<Limits> limits() {
        return limits;
    }

    /** Asks Redis; on an answer logs one line (a warning when unbounded). Never fails: empty when Redis did not answer. */
    public Uni<Optional<Limits>> check(Duration timeout) {
        return redis.send(Request.cmd(Command.INFO).arg("memory"))
                .ifNoItem().after(timeout).fail()
                .map(reply -> parse(reply == null ? "" : reply.toString()))
                .invoke(found -> found.ifPresent(this::report))
                .onFailure().recoverWithItem(t -> {
                    LOG.debugf("could not read Redis memory limits: %s", t);
                    return Optional.empty();
                });
    }

    private void report(Limits l) {
        limits = Optional.of(l);
        if (l.bounded()) {
            LOG.infof("Redis memory %s", l.describe());
        } else {
            LOG.warnf("Redis memory %s", l.describe());
        }
    }

    /** The limits in an {@code INFO memory} reply; empty when it does not name them. */
    static Optional<Limits> parse(String info) {
        Long max = null;
        String policy = null;
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equals("maxmemory")) {
                try {
                    max = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            } else if (name.equals("maxmemory_policy")) {
                policy = value.toLowerCase(Locale.ROOT);
            }
        }
        return max == null || policy == null ? Optional.empty() : Optional.of(new Limits(max, policy));
    }
}
