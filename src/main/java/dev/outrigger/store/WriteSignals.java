package dev.outrigger.store;

import java.util.UUID;

/**
 * How a pod tells the others that a key's stored value changed: {@code O <pod> <key>} (overwritten) or
 * {@code R <pod> <key>} (removed) on the signal channel, {@code <prefix>fill}, the channel and format of the
 * coalescer's lease signals (the key last: it may hold spaces). {@link RedisStore#announcing} publishes them in
 * the same transaction as the write itself, so a write never lands unannounced (its writer dying before a separate
 * PUBLISH, a PUBLISH that failed) and is never announced before it lands (a SET that timed out here and reached
 * Redis later).
 *
 * @param channel the signal channel
 * @param pod this pod's name in signals (receivers ignore their own)
 */
public record WriteSignals(String channel, String pod) {

    /** A pod's signals under the key prefix ({@code orc:v1:}), with a fresh pod name. */
    public static WriteSignals forNewPod(String prefix) {
        return new WriteSignals(prefix + "fill", UUID.randomUUID().toString().substring(0, 8));
    }

    /** The announcement that {@code key} holds a newer value. */
    public String overwritten(String key) {
        return "O " + pod + " " + key;
    }

    /** The announcement that {@code key} was removed. */
    public String removed(String key) {
        return "R " + pod + " " + key;
    }
}
