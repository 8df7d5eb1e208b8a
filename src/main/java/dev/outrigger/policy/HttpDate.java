package dev.outrigger.policy;

import java.time.DateTimeException;
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

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    /** "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions (RFC 9110 §5.6.7). */
    private static boolean looksLikeImfFixdate(String v) {
        return v.length() == 29 && v.charAt(3) == ',' && v.charAt(4) == ' ' && v.charAt(7) == ' '
                && v.charAt(11) == ' ' && v.charAt(16) == ' ' && v.charAt(19) == ':' && v.charAt(22) == ':'
                && v.endsWith(" GMT");
    }

    private static Optional<Instant> parseImfFixdate(String v) {
        int month = MONTHS.indexOf(v.substring(8, 11));
        int day = digits(v, 5, 7);
        int year = digits(v, 12, 16);
        int hour = digits(v, 17, 19);
        int minute = digits(v, 20, 22);
        int second = digits(v, 23, 25);
        if (month < 0 || month % 3 != 0 || day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.of(year, month / 3 + 1, day, hour, minute, second).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException outOfRange) {
            return Optional.empty();
        }
    }

    /** The decimal number in {@code v[from, to)}, or -1 when it is not all digits. */
    private static int digits(String v, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** The instant a date names, or empty when it is not a valid HTTP-date in any of the three forms. */
    public static Optional<Instant> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        if (looksLikeImfFixdate(v)) {
            return parseImfFixdate(v); // every cache hit reads a Date: the common form skips the formatter
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
