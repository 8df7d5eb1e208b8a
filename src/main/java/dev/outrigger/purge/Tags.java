package dev.outrigger.purge;

import dev.outrigger.policy.Headers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Purge tags an upstream response carries, in Surrogate-Key, Cache-Tag or xkey (or configured) headers. */
public final class Tags {

    /** More tags than this on one response are ignored (a header is not a database). */
    static final int MAX_TAGS = 1000;

    private Tags() {}

    /** The distinct tags in {@code fields}, separated by spaces or commas, in order of appearance. */
    public static List<String> of(Headers headers, List<String> fields) {
        Set<String> tags = new LinkedHashSet<>();
        for (String field : fields) {
            for (String value : headers.all(field)) {
                for (String tag : value.split("[\\s,]+")) {
                    if (!tag.isEmpty() && tags.size() < MAX_TAGS && tag.length() <= 1024) {
                        tags.add(tag);
                    }
                }
            }
        }
        return tags.isEmpty() ? List.of() : new ArrayList<>(tags);
    }
}
