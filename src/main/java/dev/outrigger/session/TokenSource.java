package dev.outrigger.session;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Where a request's token is: {@code Authorization: Bearer <token>} by default, or a named header or cookie. */
final class TokenSource {

    private static final int MAX_TOKEN = 8192;
    private final String header;
    private final Optional<String> cookie;
    private final boolean bearer;

    TokenSource(SessionSettings settings) {
        this.header = settings.tokenHeader();
        this.cookie = settings.tokenCookie();
        this.bearer = header.equalsIgnoreCase("Authorization");
    }

    /** The token, when the request carries exactly one well-formed one. */
    Optional<String> token(MultiMap headers) {
        if (cookie.isPresent()) {
            for (String line : headers.getAll("Cookie")) {
                for (String pair : line.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().equals(cookie.get())) {
                        return sane(pair.substring(eq + 1).trim());
                    }
                }
            }
            return Optional.empty();
        }
        List<String> values = headers.getAll(header);
        if (values.size() != 1) {
            return Optional.empty(); // none, or two that could name different users
        }
        String value = values.get(0).trim();
        if (!bearer) {
            return sane(value);
        }
        // RFC 6750 §2.1: "Bearer" (any case), one space or more, the token
        if (value.length() < 7 || !value.substring(0, 6).toLowerCase(Locale.ROOT).equals("bearer") || value.charAt(6) != ' ') {
            return Optional.empty();
        }
        return sane(value.substring(7).trim());
    }

    private static Optional<String> sane(String token) {
        if (token.isEmpty() || token.length() > MAX_TOKEN) {
            return Optional.empty();
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return Optional.empty();
            }
        }
        return Optional.of(token);
    }
}
