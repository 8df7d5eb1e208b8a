package dev.outrigger.proxy;

import dev.outrigger.cache.Retention;
import dev.outrigger.cache.StoredResponses;
import dev.outrigger.metrics.Meters;
import dev.outrigger.purge.Purges;
import dev.outrigger.upstream.UpstreamHealth;
import java.time.Clock;

/**
 * What one traffic event loop's cache exchanges work with: the store, the writer, purges, meters, the clock,
 * and the pod's view of whether the application answers.
 */
record CacheParts(Retention retention, StoredResponses responses, StoredResponseWriter writer, Purges purges, Meters meters,
                  Clock clock, UpstreamHealth health) {}
