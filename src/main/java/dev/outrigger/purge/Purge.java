package dev.outrigger.purge;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.outrigger.policy.RequestTarget;
import dev.outrigger.rules.Routes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One invalidation, as the admin API and the invalidation channel ({@code <prefix>invalidate} unless set) take it:
 * {@code {"urls":[], "tags":[], "prefixes":[], "all":false, "soft":false}}.
 *
 * @param urls paths with their query ({@code /products/7?lang=en}, any host) or absolute URLs (that host)
 * @param tags tags read from Surrogate-Key, Cache-Tag or xkey
 * @param prefixes request targets starting with one of these ({@code /products/})
 * @param all everything
 * @param soft mark stale (served while one request refreshes) rather than drop
 * @param issuedAtMillis when the purge was issued (epoch ms), 0 when unknown; carried on the channel to
 *                       measure how long the broadcast took
 */
public record Purge(List<String> urls, List<String> tags, List<String> prefixes, boolean all, boolean soft,
                    long issuedAtMillis) {

    /** Most targets one purge may name. */
    static final int MAX_TARGETS = 10_000;
    private static final int MAX_LENGTH = 8192;
    private static final Set<String> FIELDS = Set.of("urls", "tags", "prefixes", "all", "soft");
    private static final String ISSUED_AT = "issued_at";

    public Purge {
        urls = List.copyOf(urls);
        tags = List.copyOf(tags);
        prefixes = List.copyOf(prefixes);
    }

    /** A refused purge: the message is the one-line reason given to the caller. */
    public static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Parses and checks a purge. {@code fromChannel}: the channel's messages may also carry
     * {@code issued_at}; the API refuses it like any other unknown field.
     */
    public static Purge parse(String json, boolean fromChannel) throws Invalid {
        JsonObject o;
        try {
            Object value = io.vertx.core.json.Json.decodeValue(json);
            if (!(value instanceof JsonObject obj)) {
                throw new Invalid("the body must be a JSON object");
            }
            o = obj;
        } catch (DecodeException e) {
            throw new Invalid("malformed JSON");
        }
        for (String field : o.fieldNames()) {
            if (!FIELDS.contains(field) && !(fromChannel && field.equals(ISSUED_AT))) {
                throw new Invalid("unknown field \"" + printable(field) + "\" (known: urls, tags, prefixes, all, soft)");
            }
        }
        List<String> urls = strings(o, "urls");
        List<String> tags = strings(o, "tags");
        List<String> prefixes = strings(o, "prefixes");
        boolean all = bool(o, "all");
        boolean soft = bool(o, "soft");
        long issuedAt = 0;
        if (fromChannel && o.containsKey(ISSUED_AT)) {
            if (!(o.getValue(ISSUED_AT) instanceof Number n)) {
                throw new Invalid("\"issued_at\" must be epoch milliseconds");
            }
            issuedAt = n.longValue();
        }
        if (urls.size() + tags.size() + prefixes.size() > MAX_TARGETS) {
            throw new Invalid("more than " + MAX_TARGETS + " targets in one purge");
        }
        if (!all && urls.isEmpty() && tags.isEmpty() && prefixes.isEmpty()) {
            throw new Invalid("nothing to purge: give urls, tags, prefixes or \"all\": true");
        }
        for (String url : urls) {
            if (!url.startsWith("/") && !url.startsWith("http://") && !url.startsWith("https://")) {
                throw new Invalid("a url is a path starting with / or an absolute http(s) URL: " + printable(url));
            }
        }
        for (String prefix : prefixes) {
            if (!prefix.startsWith("/")) {
                throw new Invalid("a prefix is a path starting with /: " + printable(prefix));
            }
        }
        for (String tag : tags) {
            if (tag.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))) {
                throw new Invalid("a tag has no spaces or commas (they separate tags in the headers): " + printable(tag));
            }
        }
        return new Purge(urls, tags, prefixes, all, soft, issuedAt);
    }

    /**
     * The same purge naming each URL also as the routes that may take it key it (query filtered and sorted):
     * entries are checked against the target as keyed, so a purge by URL reaches every key of the URL however
     * its route spells it.
     */
    public Purge keyedAs(Routes routes) {
        if (routes.isEmpty() || urls.isEmpty()) {
            return this;
        }
        List<String> named = new ArrayList<>(urls);
        for (String url : urls) {
            if (url.startsWith("/")) {
                RequestTarget.normalize(url).ifPresent(target -> routes.keyedTargets(null, target).stream()
                        .filter(t -> !named.contains(t)).forEach(named::add));
                continue;
            }
            RequestTarget.absolute(url).ifPresent(a -> {
                String authority = RequestTarget.authority(a.authority(), a.scheme()).orElse(a.authority().toLowerCase(Locale.ROOT));
                RequestTarget.normalize(a.pathAndQuery()).ifPresent(target -> routes.keyedTargets(authority, target).stream()
                        .map(keyed -> a.scheme() + "://" + authority + keyed)
                        .filter(u -> !named.contains(u)).forEach(named::add));
            });
        }
        return new Purge(named, tags, prefixes, all, soft, issuedAtMillis);
    }

    /** The same purge, issued at {@code millis} (epoch ms). */
    public Purge issuedAt(long millis) {
        return new Purge(urls, tags, prefixes, all, soft, millis);
    }

    /** The channel form, with when it was issued. */
    public String toJson() {
        return new JsonObject()
                .put("urls", new JsonArray(new ArrayList<Object>(urls)))
                .put("tags", new JsonArray(new ArrayList<Object>(tags)))
                .put("prefixes", new JsonArray(new ArrayList<Object>(prefixes)))
                .put("all", all)
                .put("soft", soft)
                .put(ISSUED_AT, issuedAtMillis)
                .encode();
    }

    private static List<String> strings(JsonObject o, String field) throws Invalid {
        Object v = o.getValue(field);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray array)) {
            throw new Invalid("\"" + field + "\" must be an array of strings");
        }
        List<String> out = new ArrayList<>(array.size());
        for (Object item : array) {
            if (!(item instanceof String s) || s.isBlank()) {
                throw new Invalid("\"" + field + "\" must hold non-empty strings");
            }
            if (s.length() > MAX_LENGTH) {
                throw new Invalid("an entry of \"" + field + "\" is longer than " + MAX_LENGTH + " characters");
            }
            out.add(s.trim());
        }
        return out;
    }

    private static boolean bool(JsonObject o, String field) throws Invalid {
        Object v = o.getValue(field);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw new Invalid("\"" + field + "\" must be true or false");
        }
        return b;
    }

    /** Echoed input, cut short and stripped of control characters, for a one-line reason. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 100; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c != 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
