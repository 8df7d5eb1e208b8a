package dev.outrigger.aggregate;

/**
 * What became of one part: its JSON (when it succeeded) and its {@code _meta} entry.
 *
 * @param status the status the part was answered with (504 when it timed out, 502 when it could not be asked)
 * @param cache how the cache answered it ({@code hit}, {@code stale}, {@code miss}, {@code revalidated},
 *     {@code collapsed}, {@code bypass}); null when unknown (it timed out)
 * @param age the answer's Age in seconds; negative when it had none
 * @param json the part's JSON text, checked (null for a failed part; {@code null} text for a 204)
 * @param failure why it failed; null when it succeeded
 * @param error the failure in words, for {@code _meta}
 * @param challenge the WWW-Authenticate of a 401, relayed when a required part is refused
 */
record PartResult(Aggregate.Part part, int status, String cache, long age, long millis, byte[] json, Failure failure, String error,
                  String challenge) {

    /** Why a part failed: the {@code reason} tag of {@code outrigger_aggregate_part_failures_total}. */
    enum Failure {
        /** Answered with a status other than 2xx. */
        STATUS("status"),
        /** Not answered within its timeout. */
        TIMEOUT("timeout"),
        /** Could not be asked (no connection, reset, the proxy's own error). */
        UNREACHABLE("unreachable"),
        /** A body that is not JSON, or JSON that does not parse. */
        INVALID("invalid"),
        /** A body larger than the aggregate's max-part-size. */
        TOO_LARGE("too-large");

        final String tag;

        Failure(String tag) {
            this.tag = tag;
        }
    }

    boolean ok() {
        return failure == null;
    }

    static PartResult failed(Aggregate.Part part, int status, String cache, long age, long millis, Failure failure, String error) {
        return new PartResult(part, status, cache, age, millis, null, failure, error, null);
    }
}
