package dev.outrigger.proxy;

import dev.outrigger.cache.CacheKey;
import dev.outrigger.cache.CacheSettings;
import dev.outrigger.cache.Retention;
import dev.outrigger.cache.TieredResponses;
import dev.outrigger.cache.Variants;
import dev.outrigger.policy.ContentCoding;
import dev.outrigger.policy.Freshness;
import dev.outrigger.policy.Headers;
import dev.outrigger.policy.RequestTarget;
import dev.outrigger.purge.AdminToken;
import dev.outrigger.rules.KeyComponent;
import dev.outrigger.rules.Route;
import dev.outrigger.rules.Routes;
import dev.outrigger.store.StoredResponse;
import dev.outrigger.store.VariantIndex;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code GET /admin/explain?url=...} on the management port, for holders of the admin token: what the cache
 * would do with a request, as JSON. The route that takes it and why the ones before did not, every key
 * component and the key, whether it is looked up and stored, and the variants stored under the key with their
 * age, freshness left, tags and size. Optional {@code method} (GET) and {@code header=Name: value} (repeated).
 * Reads the store, never writes it, never forwards anything.
 */
@Singleton
public class ExplainApi {

    static final String PATH = "/admin/explain";

    private final AdminToken token;
    private final TieredResponses store;
    private final CacheSettings settings;
    private final ProxySettings proxy;
    private final Retention retention;
    private final Clock clock;

    ExplainApi(TieredResponses store, CacheSettings settings, ProxySettings proxy, Clock clock,
               @ConfigProperty(name = "outrigger.admin.token") Optional<String> token) {
        this.token = new AdminToken(token);
        this.store = store;
        this.settings = settings;
        this.proxy = proxy;
        this.retention = new Retention(settings, clock);
        this.clock = clock;
    }

    void routes(@Observes ManagementInterface management) {
        management.router().route(PATH).method(HttpMethod.GET).handler(this::explain);
        management.router().route(PATH).handler(rc -> {
            rc.response().putHeader(HttpHeaders.ALLOW, "GET");
            AdminToken.answer(rc, 405, "use GET");
        });
    }

    private void explain(RoutingContext rc) {
        if (!token.admits(rc)) {
            return;
        }
        String url = rc.request().getParam("url");
        if (url == null || url.isBlank()) {
            AdminToken.answer(rc, 400, "give the request to explain: ?url=http://host/path?query (or a path and header=Host: host)");
            return;
        }
        String method = Optional.ofNullable(rc.request().getParam("method")).orElse("GET").trim().toUpperCase(Locale.ROOT);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String line : rc.queryParam("header")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                AdminToken.answer(rc, 400, "header=" + line + ": write it as Name: value");
                return;
            }
            headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        String scheme = "http";
        String authority = headers.get(HttpHeaders.HOST);
        String pathAndQuery = url.trim();
        Optional<RequestTarget.Absolute> absolute = RequestTarget.absolute(pathAndQuery);
        if (absolute.isPresent()) {
            scheme = absolute.get().scheme();
            authority = absolute.get().authority();
            pathAndQuery = absolute.get().pathAndQuery();
        }
        Optional<String> target = RequestTarget.normalize(pathAndQuery);
        String normalizedAuthority = settings.keyHost().orElse(
                authority == null ? null : RequestTarget.authority(authority.trim(), scheme).orElse(null));
        if (target.isEmpty() || normalizedAuthority == null) {
            AdminToken.answer(rc, 400, target.isEmpty() ? "not a request target: " + pathAndQuery
                    : "no host: give an absolute url, or header=Host: name");
            return;
        }
        explain(rc, method, scheme, normalizedAuthority, target.get(), headers);
    }

    private void explain(RoutingContext rc, String method, String scheme, String authority, String target, MultiMap headers) {
        Routes routes = settings.routes();
        String path = RouteStep.path(target);
        Routes.Match match = routes.match(method, authority, path, headers::getAll);
        Route route = match.route();
        JsonObject answer = new JsonObject();
        answer.put("request", new JsonObject().put("method", method).put("url", scheme + "://" + authority + target));
        answer.put("route", new JsonObject(route.describe()));
        answer.put("routes-tried", new JsonArray(routes.trace(method, authority, path, headers::getAll)));
        boolean cacheable = method.equals("GET") || method.equals("HEAD");
        boolean passing = !route.lookup() && !route.store();
        Route.Routed routed = passing ? Route.Routed.passing(route, target) : route.route(target, headers::getAll, match.variables());
        List<KeyComponent> parts = new ArrayList<>(proxy.trustForwarded() ? RequestHygiene.trustedParts(headers) : List.of());
        parts.addAll(routed.components());
        CacheKey key = new CacheKey(scheme, authority, routed.target(), parts);
        JsonArray components = new JsonArray()
                .add(new JsonObject().put("kind", "scheme").put("value", scheme))
                .add(new JsonObject().put("kind", "host").put("value", authority))
                .add(new JsonObject().put("kind", "target").put("value", routed.target()));
        for (KeyComponent c : parts) {
            components.add(new JsonObject().put("kind", c.kind().name().toLowerCase(Locale.ROOT)).put("name", c.name())
                    .put("value", c.value().orElse(null)).put("present", c.value().isPresent()));
        }
        answer.put("key", new JsonObject().put("components", components).put("value", key.value()));
        if (!routed.target().equals(target)) {
            answer.put("forwarded-target", routed.target());
        }
        routed.cookieHeader().ifPresent(c -> answer.put("forwarded-cookies", c.isEmpty() ? List.of() : List.of(c.split("; "))
                .stream().map(pair -> pair.substring(0, pair.indexOf('='))).toList()));
        if (route.perUser()) {
            answer.put("user", routed.identified() ? "identified (its keyed hash is in the key)" : "anonymous");
        }
        answer.put("lookup", cacheable && route.lookup() && !headers.contains("Cache-Control", "no-store", true));
        answer.put("store", method.equals("GET") && route.store());
        if (!routed.tags().isEmpty()) {
            answer.put("route-tags", routed.tags());
        }
        Headers request = HeaderAdapter.toHeaders(headers);
        variants(key.value(), request).subscribe().with(
                stored -> send(rc, answer.put("stored", stored)),
                failed -> send(rc, answer.put("stored", new JsonObject().put("error", "the store did not answer: "
                        + failed.getClass().getSimpleName()))));
    }

    /** What is stored under the key: one response, or a variant index and its variants. */
    private Uni<JsonObject> variants(String key, Headers request) {
        return store.get(key).chain(top -> {
            if (top.isEmpty() || top.get() == TieredResponses.ABSENT) {
                return Uni.createFrom().item(new JsonObject().put("variants", new JsonArray()));
            }
            return switch (top.get().value()) {
                case StoredResponse r -> Uni.createFrom().item(new JsonObject()
                        .put("variants", new JsonArray().add(describe(r, top.get().ttl(clock.millis()), true, ContentCoding.acceptable(request, r.headers())))));
                case VariantIndex index -> {
                    String selected = Variants.variantId(index.fields(), request);
                    List<Uni<JsonObject>> each = new ArrayList<>();
                    for (VariantIndex.Variant v : index.variants()) {
                        each.add(store.get(Variants.variantKey(key, v.id())).map(copy -> copy
                                .filter(c -> c != TieredResponses.ABSENT && c.value() instanceof StoredResponse)
                                .map(c -> describe((StoredResponse) c.value(), c.ttl(clock.millis()), v.id().equals(selected),
                                        ContentCoding.acceptable(request, ((StoredResponse) c.value()).headers())).put("id", v.id()))
                                .orElse(new JsonObject().put("id", v.id()).put("gone", true))));
                    }
                    Uni<List<JsonObject>> all = each.isEmpty() ? Uni.createFrom().item(List.of())
                            : Uni.join().all(each).andFailFast();
                    yield all.map(list -> new JsonObject().put("vary", index.fields()).put("selected", selected)
                            .put("variants", new JsonArray(new ArrayList<>(list))));
                }
            };
        });
    }

    private JsonObject describe(StoredResponse r, Duration storeTtl, boolean selected, boolean acceptable) {
        Instant now = clock.instant();
        Duration age = Freshness.currentAge(r.headers(), Retention.timing(r), now);
        Duration lifetime = retention.lifetime(r);
        JsonObject d = new JsonObject()
                .put("status", r.status())
                .put("age", age.toSeconds())
                .put("fresh-for", lifetime.minus(age).toSeconds())
                .put("kept-for", storeTtl.toSeconds())
                .put("size", r.body().length)
                .put("tags", r.tags())
                .put("selected", selected && acceptable);
        r.ruleCacheControl().ifPresent(cc -> d.put("judged-by", cc));
        r.headers().first("Cache-Control").ifPresent(cc -> d.put("cache-control", cc));
        r.headers().first("Content-Encoding").ifPresent(ce -> d.put("content-encoding", ce));
        r.storedCoding().ifPresent(c -> d.put("stored-coding", c)); // size is then the compressed size
        return d;
    }

    private static void send(RoutingContext rc, JsonObject answer) {
        rc.response().setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(answer.encodePrettily() + "\n");
    }
}
