package dev.outrigger.config;

import dev.outrigger.policy.RequestTarget;
import dev.outrigger.warm.WarmSettings;
import dev.outrigger.warm.WarmTarget;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Turns {@code outrigger.warm} into {@link WarmSettings}; a URL that cannot be warmed stops start-up, naming it. */
final class WarmConfig {

    private WarmConfig() {}

    static WarmSettings settings(WarmGroup w, Optional<String> keyHost) {
        try {
            List<WarmTarget> targets = new ArrayList<>();
            Optional<String> host = w.host().map(String::trim).filter(h -> !h.isEmpty()).or(() -> keyHost);
            List<String> urls = w.urls().orElse(List.of());
            for (int i = 0; i < urls.size(); i++) {
                targets.add(target("outrigger.warm.urls[" + i + "]", urls.get(i), Map.of(), host));
            }
            for (int i = 0; i < w.requests().size(); i++) {
                WarmGroup.Request r = w.requests().get(i);
                targets.add(target("outrigger.warm.requests[" + i + "].url", r.url(), r.headers(), host));
            }
            return new WarmSettings(w.enabled(), targets, w.top(), w.interval(), w.atStart(), w.refreshWithin().orElse(w.interval()),
                    w.rate(), w.concurrency(), w.timeout(), w.acceptEncoding());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage().startsWith("outrigger.") ? e.getMessage() : "outrigger.warm: " + e.getMessage(),
                    Set.of("outrigger.warm"));
        }
    }

    private static WarmTarget target(String field, String url, Map<String, String> headers, Optional<String> host) {
        String u = url == null ? "" : url.trim();
        String authority;
        String target;
        Optional<RequestTarget.Absolute> absolute = RequestTarget.absolute(u);
        if (absolute.isPresent()) {
            if (!absolute.get().scheme().equals("http")) {
                throw new IllegalArgumentException(field + ": '" + u + "': http URLs only (warming asks this proxy, which serves http)");
            }
            authority = RequestTarget.authority(absolute.get().authority(), "http")
                    .orElseThrow(() -> new IllegalArgumentException(field + ": '" + u + "': not a host[:port]"));
            target = absolute.get().pathAndQuery();
        } else if (u.startsWith("/")) {
            authority = host.orElseThrow(() -> new IllegalArgumentException(field + ": '" + u + "': a path needs a host to be "
                    + "asked for under: set outrigger.warm.host (OUTRIGGER_WARM_HOST) or outrigger.cache.key-host, or give an http:// URL"));
            target = u;
        } else {
            throw new IllegalArgumentException(field + ": '" + u + "': a path with its query (/api/products?page=1) or an http:// URL");
        }
        String normalized = RequestTarget.normalize(target)
                .orElseThrow(() -> new IllegalArgumentException(field + ": '" + u + "': not a valid request target"));
        return new WarmTarget(authority, normalized, headers);
    }
}
