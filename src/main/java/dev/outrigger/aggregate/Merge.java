package dev.outrigger.aggregate;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A part's answer judged, and the parts' results merged: one member per part that succeeded (its JSON as it came,
 * checked), then {@code _meta} with every part's status, cache outcome, age, time and error.
 */
final class Merge {

    static final String PARTIAL = "X-Outrigger-Partial";
    /** The Cache-Status of the proxy's own error answers (ErrorResponse), debug details or not. */
    private static final java.util.regex.Pattern OWN_ERROR = java.util.regex.Pattern.compile("Outrigger; fwd=bypass; detail=\"\\d{3}[ \"]");
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private Merge() {}

    /** What the hop's answer makes of the part. */
    static PartResult judge(Aggregate.Part part, HttpClientResponse resp, Buffer body, long millis) {
        MultiMap h = resp.headers();
        int status = resp.statusCode();
        String cache = cacheOf(h);
        long age = age(h);
        String cacheStatus = h.get("Cache-Status");
        if (status >= 400 && cacheStatus != null && OWN_ERROR.matcher(cacheStatus).lookingAt()) {
            // the proxy's own answer (the application could not be reached, a session was refused): its reason
            PartResult.Failure failure = status == 401 || status == 403 ? PartResult.Failure.STATUS : PartResult.Failure.UNREACHABLE;
            return new PartResult(part, status, cache, age, millis, null, failure, PartBody.brief(body.toString(StandardCharsets.UTF_8)),
                    h.get("WWW-Authenticate"));
        }
        if (status < 200 || status > 299) {
            return new PartResult(part, status, cache, age, millis, null, PartResult.Failure.STATUS, "upstream answered " + status,
                    h.get("WWW-Authenticate"));
        }
        if (status == 204) {
            return new PartResult(part, status, cache, age, millis, NULL, null, null, null);
        }
        String coding = h.get(HttpHeaders.CONTENT_ENCODING);
        if (coding != null && !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity")) {
            return PartResult.failed(part, status, cache, age, millis, PartResult.Failure.INVALID,
                    "body is " + PartBody.brief(coding.trim()) + "-encoded, not JSON");
        }
        String type = h.get(HttpHeaders.CONTENT_TYPE);
        if (type != null && !PartBody.isJson(type)) {
            return PartResult.failed(part, status, cache, age, millis, PartResult.Failure.INVALID,
                    "not JSON: Content-Type " + PartBody.brief(type));
        }
        byte[] bytes = body.getBytes();
        String problem = PartBody.problem(bytes);
        if (problem != null) {
            return PartResult.failed(part, status, cache, age, millis, PartResult.Failure.INVALID, problem);
        }
        return new PartResult(part, status, cache, age, millis, bytes, null, null, null);
    }

    /** How the cache answered, from X-Cache and Cache-Status (RFC 9211). */
    static String cacheOf(MultiMap h) {
        String x = h.get("X-Cache");
        String status = h.get("Cache-Status");
        if (x == null) {
            return null;
        }
        boolean collapsed = status != null && status.contains("; collapsed");
        return switch (x.trim().toUpperCase(Locale.ROOT)) {
            case "HIT" -> collapsed ? "collapsed" : status != null && status.contains("fwd-status=304") ? "revalidated" : "hit";
            case "STALE" -> "stale";
            case "MISS" -> "miss";
            default -> "bypass";
        };
    }

    /** The Age header in seconds; -1 when absent or unusable. */
    static long age(MultiMap h) {
        String a = h.get(HttpHeaders.AGE);
        if (a == null) {
            return -1;
        }
        try {
            return Long.parseLong(a.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The aggregate's response. 200 when every required part succeeded; when one failed, the aggregate's failure status
     * (or, when the parts' application refused the client's credentials, that 401 or 403, with its challenge).
     */
    static FanOut.Answer answer(Aggregate a, List<PartResult> results) {
        boolean partial = false;
        int status = 200;
        String challenge = null;
        boolean allFromCache = true;
        JsonObject parts = new JsonObject();
        Buffer body = Buffer.buffer(256);
        body.appendByte((byte) '{');
        for (PartResult r : results) {
            JsonObject meta = new JsonObject().put("status", r.status());
            if (r.cache() != null) {
                meta.put("cache", r.cache());
            }
            if (r.age() >= 0) {
                meta.put("age", r.age());
            }
            meta.put("ms", r.millis());
            allFromCache &= "hit".equals(r.cache()) || "stale".equals(r.cache());
            if (r.ok()) {
                body.appendString("\"").appendString(r.part().name()).appendString("\":").appendBytes(r.json()).appendByte((byte) ',');
            } else {
                partial = true;
                meta.put("error", r.error());
                if (r.part().required() && status == 200) {
                    boolean refused = r.failure() == PartResult.Failure.STATUS && (r.status() == 401 || r.status() == 403);
                    status = refused ? r.status() : a.failureStatus();
                    challenge = refused ? r.challenge() : null;
                }
            }
            parts.put(r.part().name(), meta);
        }
        body.appendString("\"_meta\":").appendBuffer(new JsonObject().put("partial", partial).put("parts", parts).toBuffer())
                .appendByte((byte) '}');
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .set(HttpHeaders.CONTENT_TYPE, "application/json")
                // made of parts that may each be a user's own: nothing downstream keeps it
                .set(HttpHeaders.CACHE_CONTROL, "no-store")
                .set("X-Cache", allFromCache ? "HIT" : "MISS")
                .set("Cache-Status", "Outrigger; " + (allFromCache ? "hit" : "fwd=miss") + "; detail=\"aggregate " + a.name()
                        + (partial ? " partial" : "") + "\"");
        if (partial) {
            headers.set(PARTIAL, "true");
        }
        if (challenge != null) {
            headers.set("WWW-Authenticate", challenge);
        }
        return new FanOut.Answer(status, headers, body);
    }
}
