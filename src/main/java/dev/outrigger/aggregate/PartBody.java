package dev.outrigger.aggregate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Locale;

/**
 * A part's body, checked before it is spliced into the aggregate: one complete JSON value in UTF-8, nothing after
 * it. Read token by token (strings decoded, so bad UTF-8 fails too); never spliced unparsed.
 */
final class PartBody {

    private static final JsonFactory JSON = new JsonFactory();

    private PartBody() {}

    /** A reason the body is refused, in words; null when it is good JSON. */
    static String problem(byte[] body) {
        int start = 0;
        if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
            return "the body starts with a byte-order mark";
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0 || (body[i] & 0xff) == 0xFE || (body[i] & 0xff) == 0xFF) {
                return "the body is not UTF-8";
            }
        }
        try (JsonParser p = JSON.createParser(body, start, body.length - start)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return "empty body";
            }
            int depth = 0;
            do {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_STRING -> p.getText(); // decodes: bad UTF-8 or escapes fail here
                    default -> { }
                }
            } while (depth > 0 && (t = p.nextToken()) != null);
            if (depth != 0) {
                return "invalid JSON: unexpected end";
            }
            if (p.nextToken() != null) {
                return "invalid JSON: more than one value";
            }
            return null;
        } catch (JsonProcessingException e) {
            return "invalid JSON: " + brief(e.getOriginalMessage());
        } catch (IOException e) {
            return "invalid JSON";
        }
    }

    /** Whether a Content-Type names JSON ({@code application/json} or a {@code +json} type). */
    static boolean isJson(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.endsWith("+json");
    }

    /** The first line of {@code message}, printable, at most 120 characters. */
    static String brief(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < message.length() && sb.length() < 120; i++) {
            char c = message.charAt(i);
            if (c == '\n' || c == '\r') {
                break;
            }
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString().trim();
    }
}
