package dev.outrigger.policy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;

/** HTTP-date (RFC 9110 §5.6.7): IMF-fixdate when sending; IMF-fixdate, RFC 850 and asctime when receiving. */
public final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    // RFC 9110 §5.6.7 reads a two-digit year relative to today; a fixed window (1970–2069) keeps this
    // pure and agrees with it for every date an origin plausibly sends.
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    private HttpDate() {}

    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    /** The instant a date names, or empty when it is not a valid HTTP-date in any of the three forms. */
    public static Optional<Instant> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            return Optional.of(Instant.from(IMF_FIXDATE.parse(v)));
        } catch (DateTimeParseException notImf) {
            // try the obsolete forms
        }
        try {
            return Optional.of(LocalDateTime.parse(v, RFC_850).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException notRfc850) {
            // try asctime
        }
        try {
            return Optional.of(LocalDateTime.parse(v, ASCTIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException notAsctime) {
            return Optional.empty();
        }
    }
}
