package dev.outrigger.proxy;

import dev.outrigger.policy.Headers;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Between Vert.x's mutable MultiMap and the policy's immutable Headers. */
final class HeaderAdapter {

    private HeaderAdapter() {}

    static Headers toHeaders(MultiMap map) {
        List<Map.Entry<String, String>> fields = new ArrayList<>(map.size());
        for (Map.Entry<String, String> e : map) {
            fields.add(Map.entry(e.getKey(), e.getValue()));
        }
        return Headers.of(fields);
    }

    /** The end-to-end fields of a received message (hop-by-hop ones dropped, RFC 9110 §7.6.1), as Headers. */
    static Headers endToEnd(MultiMap received) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyEndToEnd(received, out, false);
        return toHeaders(out);
    }

    static void addAll(Headers headers, MultiMap out) {
        for (Map.Entry<String, String> f : headers.fields()) {
            out.add(f.getKey(), f.getValue());
        }
    }
}
