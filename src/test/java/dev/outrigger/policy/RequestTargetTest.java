package dev.outrigger.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One spelling per resource (RFC 3986 §6.2.2): what the cache keys on and the proxy forwards. */
class RequestTargetTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', nullValues = "REFUSED", value = {
        "/                        | /",
        "/a/b?x=1&y=2             | /a/b?x=1&y=2",
        "/%7euser/%41%42          | /~user/AB",
        "/a%2fb                   | /a%2Fb",
        "/a%2Fb                   | /a%2Fb",
        "/a/./b/../c              | /a/c",
        "/a/%2e%2e/b              | /b",
        "/a/%2E/b                 | /a/b",
        "/../../etc/passwd        | /etc/passwd",
        "/a/..                    | /",
        "/a//b                    | /a//b",
        "/t/{user}                | /t/%7Buser%7D",
        "/t/%7buser%7d            | /t/%7Buser%7D",
        "/a b                     | /a%20b",
        "/q?a=/../b               | /q?a=/../b",
        "/q?a=%7e&b=%2f&c={x}     | /q?a=~&b=%2F&c=%7Bx%7D",
        "/q?x=1?y=2               | /q?x=1?y=2",
        "/a%zz                    | REFUSED",
        "/a%4                     | REFUSED",
        "/a#frag                  | REFUSED",
        "a/b                      | REFUSED",
    })
    void normalize(String target, String expected) {
        assertEquals(Optional.ofNullable(expected), RequestTarget.normalize(target));
    }

    @ParameterizedTest(name = "{0} ({1}) → {2}")
    @CsvSource(delimiter = '|', nullValues = "REFUSED", value = {
        "shop.test          | http  | shop.test",
        "Shop.TEST          | http  | shop.test",
        "shop.test:80       | http  | shop.test",
        "shop.test:443      | https | shop.test",
        "shop.test:443      | http  | shop.test:443",
        "shop.test:8080     | http  | shop.test:8080",
        "10.0.0.5:8480      | http  | 10.0.0.5:8480",
        "[::1]:8480         | http  | [::1]:8480",
        "[::1]              | http  | [::1]",
        "shop.test:         | http  | shop.test",
        "shop.test:99999    | http  | REFUSED",
        "shop.test:8o       | http  | REFUSED",
        "user@shop.test     | http  | REFUSED",
        "shop.test,evil.test| http  | REFUSED",
        "{tag}.test         | http  | REFUSED",
        "shop test          | http  | REFUSED",
        "shop.test/x        | http  | REFUSED",
        ":80                | http  | REFUSED",
        "[::1               | http  | REFUSED",
    })
    void authority(String value, String scheme, String expected) {
        assertEquals(Optional.ofNullable(expected), RequestTarget.authority(value, scheme));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://other.test/page     | http  | other.test      | /page",
        "HTTPS://Other.Test:8443    | https | Other.Test:8443 | /",
        "http://h?x=1               | http  | h               | /?x=1",
    })
    void absolute(String target, String scheme, String authority, String rest) {
        assertEquals(Optional.of(new RequestTarget.Absolute(scheme, authority, rest)), RequestTarget.absolute(target));
    }
}
