package dev.outrigger.aggregate;

import dev.outrigger.rules.PathPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The configured aggregates ({@code outrigger.aggregates}), checked and compiled once at start. A request whose path
 * one of them answers is answered by it (the first that matches); no route or cache rule applies to the aggregate
 * itself, only to its parts.
 */
public final class Aggregates {

    public static final Aggregates NONE = new Aggregates(List.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers a part never takes from the client: framing, hop-by-hop, the host, and what the proxy sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "keep-alive", "te", "trailer", "transfer-encoding",
            "upgrade", "content-length", "expect", "proxy-authorization", "proxy-connection", "accept-encoding", "x-outrigger-part",
            "range", "if-range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since");
    static final int MAX_PARTS = 32;
    /** Parts are checked on the event loop, whole: kept small enough that one check is a short pause. */
    static final long MAX_PART_SIZE = 8L << 20;

    private final List<Aggregate> aggregates;

    private Aggregates(List<Aggregate> aggregates) {
        this.aggregates = List.copyOf(aggregates);
    }

    /** Refused configuration: the message names the aggregate and the field. */
    public static final class InvalidAggregate extends IllegalArgumentException {
        InvalidAggregate(int index, String name, String field, String problem) {
            super("outrigger.aggregates[" + index + "]" + (name == null || name.isBlank() ? "" : " (" + name + ")") + ": " + field
                    + ": " + problem);
        }
    }

    /** Checks and compiles {@code specs}; throws {@link InvalidAggregate} for the first problem found. */
    public static Aggregates compile(List<AggregateSpec> specs) {
        List<Aggregate> compiled = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            compiled.add(compile(i, specs.get(i), names));
        }
        // a part that is itself an aggregate would call itself (or another) without end
        for (Aggregate a : compiled) {
            for (Aggregate.Part p : a.parts()) {
                if (p.url().origin().isEmpty()) {
                    String path = p.url().pathTemplate().replaceAll("\\{[A-Za-z_][A-Za-z0-9_]*}", "x");
                    for (Aggregate other : compiled) {
                        if (other.path().match(path).isPresent()) {
                            throw new InvalidAggregate(a.index(), a.name(), "parts." + p.name() + ".url",
                                    "'" + p.url() + "' is answered by the aggregate '" + other.name() + "': a part is fetched from "
                                            + "the application, not from another aggregate");
                        }
                    }
                }
            }
        }
        return new Aggregates(compiled);
    }

    private static Aggregate compile(int i, AggregateSpec spec, Set<String> names) {
        String name = spec.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidAggregate(i, name, "name", "required: letters, digits, '_', '.', '-' (at most 64), starting with a letter or digit");
        }
        if (!names.add(name)) {
            throw new InvalidAggregate(i, name, "name", "another aggregate has this name");
        }
        PathPattern path;
        try {
            path = PathPattern.compile(spec.path() == null ? "" : spec.path().trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidAggregate(i, name, "path", e.getMessage());
        }
        Duration timeout = spec.timeout();
        if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new InvalidAggregate(i, name, "timeout", "between 1ms and 5m");
        }
        if (spec.failureStatus() < 500 || spec.failureStatus() > 599) {
            throw new InvalidAggregate(i, name, "failure-status", spec.failureStatus() + ": a 5xx status (the parts failed, not the client)");
        }
        if (spec.maxPartSize() < 1 || spec.maxPartSize() > MAX_PART_SIZE) {
            throw new InvalidAggregate(i, name, "max-part-size", "between 1 byte and 8 MiB");
        }
        List<String> headers = new ArrayList<>();
        for (String h : spec.headers()) {
            String header = h == null ? "" : h.trim();
            if (!TOKEN.matcher(header).matches()) {
                throw new InvalidAggregate(i, name, "headers", "'" + h + "' is not a header name");
            }
            String lower = header.toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower)) {
                throw new InvalidAggregate(i, name, "headers", "'" + header + "' is not forwarded to parts: it belongs to the hop, "
                        + "the key or the request's own conditions");
            }
            if (lower.equals("x-session")) {
                throw new InvalidAggregate(i, name, "headers", "X-Session needs sessions on (OUTRIGGER_SESSION_ENABLED): a part gets "
                        + "it from its own session step");
            }
            if (headers.stream().noneMatch(header::equalsIgnoreCase)) {
                headers.add(header);
            }
        }
        List<String> cookies = new ArrayList<>();
        for (String c : spec.cookies()) {
            String cookie = c == null ? "" : c.trim();
            if (!TOKEN.matcher(cookie).matches()) {
                throw new InvalidAggregate(i, name, "cookies", "'" + c + "' is not a cookie name");
            }
            if (!cookies.contains(cookie)) {
                cookies.add(cookie);
            }
        }
        if (spec.parts().isEmpty() || spec.parts().size() > MAX_PARTS) {
            throw new InvalidAggregate(i, name, "parts", "between 1 and " + MAX_PARTS + " parts");
        }
        List<Aggregate.Part> parts = new ArrayList<>();
        Set<String> partNames = new HashSet<>();
        for (AggregateSpec.Part p : spec.parts()) {
            String field = "parts." + p.name();
            if (p.name() == null || !NAME.matcher(p.name()).matches()) {
                throw new InvalidAggregate(i, name, "parts", "'" + p.name() + "': a part name is letters, digits, '_', '.', '-', "
                        + "starting with a letter or digit (it names a member of the response)");
            }
            if (!partNames.add(p.name())) {
                throw new InvalidAggregate(i, name, field, "another part has this name");
            }
            PartTemplate url;
            try {
                url = PartTemplate.parse(p.url());
            } catch (IllegalArgumentException e) {
                throw new InvalidAggregate(i, name, field + ".url", e.getMessage());
            }
            if (p.ttl().isPresent() && p.ttl().get().compareTo(Duration.ofSeconds(1)) < 0) {
                throw new InvalidAggregate(i, name, field + ".ttl", "at least 1s");
            }
            Duration partTimeout = p.timeout().orElse(timeout);
            if (partTimeout.toMillis() < 1 || partTimeout.compareTo(timeout) > 0) {
                throw new InvalidAggregate(i, name, field + ".timeout", "between 1ms and the aggregate's timeout ("
                        + timeout.toMillis() + "ms): the aggregate stops waiting first");
            }
            parts.add(new Aggregate.Part(parts.size(), p.name(), url, p.required(), p.ttl(), partTimeout));
        }
        return new Aggregate(i, name, path, timeout, spec.failureStatus(), headers, cookies, spec.maxPartSize(), parts);
    }

    /** The aggregate answering {@code path} (normalised, without query), with its path's variables (as in the path). */
    public Optional<Match> match(String path) {
        for (Aggregate a : aggregates) {
            Optional<Map<String, String>> variables = a.path().match(path);
            if (variables.isPresent()) {
                return Optional.of(new Match(a, variables.get()));
            }
        }
        return Optional.empty();
    }

    /** An aggregate and the variables of its path, as the request's path has them (percent-encoded). */
    public record Match(Aggregate aggregate, Map<String, String> variables) {}

    /** The part a hop names, when there is one. */
    public Optional<Aggregate.Part> part(int aggregate, int part) {
        if (aggregate < 0 || aggregate >= aggregates.size() || part < 0 || part >= aggregates.get(aggregate).parts().size()) {
            return Optional.empty();
        }
        return Optional.of(aggregates.get(aggregate).parts().get(part));
    }

    public List<Aggregate> all() {
        return aggregates;
    }

    public boolean isEmpty() {
        return aggregates.isEmpty();
    }
}
