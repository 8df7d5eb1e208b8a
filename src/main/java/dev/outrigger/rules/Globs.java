package dev.outrigger.rules;

import java.util.regex.Pattern;

/** Glob pieces as regular expressions: {@code *} is any run of characters (within a path segment, for paths); compression's type list uses them too. */
public final class Globs {

    private Globs() {}

    /** One path segment's glob: {@code *} matches within the segment only. */
    static String segment(String glob) {
        return translate(glob, "[^/]*");
    }

    /** A whole-value glob (host, query parameter name): {@code *} matches anything. */
    public static Pattern value(String glob, boolean ignoreCase) {
        return Pattern.compile("^" + translate(glob, ".*") + "$", ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    }

    private static String translate(String glob, String star) {
        StringBuilder re = new StringBuilder();
        int from = 0;
        for (int i = glob.indexOf('*'); i >= 0; i = glob.indexOf('*', from)) {
            if (i > from) {
                re.append(Pattern.quote(glob.substring(from, i)));
            }
            re.append(star);
            from = i + 1;
        }
        if (from < glob.length()) {
            re.append(Pattern.quote(glob.substring(from)));
        }
        return re.toString();
    }
}
