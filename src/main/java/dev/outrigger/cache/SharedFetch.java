package dev.outrigger.cache;

import dev.outrigger.policy.Headers;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A fetch made for everyone (a flight's, a background refresh) carries no one client's conditionals, Range
 * or credentials: the cache answers conditionals and ranges itself, and a credential is forwarded only
 * when the key covers it (DESIGN rule 15).
 */
public final class SharedFetch {

    /** Client conditionals and Range: a fetch made for everyone never carries them. */
    private static final Set<String> CLIENT_CONDITIONALS =
            Set.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range");

    /** Client credentials: a fetch made for everyone carries them only when the key covers them (Vary). */
    private static final List<String> CLIENT_CREDENTIALS = List.of("cookie", "authorization");

    private SharedFetch() {}

    /**
     * What a fetch made for everyone leaves out of the client's request (DESIGN rule 15): its conditionals
     * and Range (the cache answers those itself), and its credentials unless {@code keyed}, the fields the
     * URL's responses vary on, names them (then they are part of the key).
     */
    public static Set<String> withheld(List<String> keyed) {
        Set<String> withheld = new HashSet<>(CLIENT_CONDITIONALS);
        for (String credential : CLIENT_CREDENTIALS) {
            if (!keyed.contains(credential)) {
                withheld.add(credential);
            }
        }
        return withheld;
    }

    /**
     * Whether a request carries credentials the key does not cover: whatever its own fetch brings back was
     * made for that client alone, and is relayed to it but never stored.
     */
    public static boolean carriesUnkeyedCredentials(Headers request, List<String> keyed) {
        Set<String> withheld = withheld(keyed);
        for (String credential : CLIENT_CREDENTIALS) {
            if (withheld.contains(credential) && request.contains(credential)) {
                return true;
            }
        }
        return false;
    }

    /**
     * How a flight is told of an answer others may not be given: a 5xx, or a 4xx that depends on the
     * request (406, 400, 412…), is a failure one waiter retries; anything else says the URL's answers are
     * not shareable (private, no-store, Set-Cookie, too large, or 401/403/404/410: it needs credentials or
     * is not there), which makes the key skip coalescing for a while.
     */
    public static boolean failedRatherThanUnshareable(int status) {
        return status >= 500 || status >= 400 && status != 401 && status != 403 && status != 404 && status != 410;
    }
}
