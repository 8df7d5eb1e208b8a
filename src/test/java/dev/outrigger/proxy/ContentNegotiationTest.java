package dev.outrigger.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.outrigger.testsupport.OriginServer;
import dev.outrigger.testsupport.RawHttp;
import dev.outrigger.testsupport.TestProxy;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stored body goes only to a client whose Accept-Encoding accepts its Content-Encoding (RFC 9110
 * §12.5.3): a client asking for br, zstd or deflate is never handed gzip, nor a plain client a compressed body.
 */
class ContentNegotiationTest {

    OriginServer origin;
    TestProxy proxy;

    @BeforeEach
    void start() {
        origin = OriginServer.start();
        proxy = TestProxy.start(origin, s -> s);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    /** Answers in the first coding the client accepts, of zstd, br, gzip, deflate; {@code vary}: says so. */
    void negotiatingOrigin(String path, boolean vary) {
        origin.on(path, req -> {
            String accept = String.valueOf(req.getHeader("Accept-Encoding")).toLowerCase(Locale.ROOT);
            String coding = null;
            for (String c : new String[] {"zstd", "br", "gzip", "deflate"}) {
                if (accept.contains(c)) {
                    coding = c;
                    break;
                }
            }
            var resp = req.response().putHeader("Cache-Control", "max-age=60");
            if (vary) {
                resp.putHeader("Vary", "Accept-Encoding");
            }
            if (coding != null) {
                resp.putHeader("Content-Encoding", coding);
            }
            resp.end(coding == null ? "plain" : coding + "-bytes");
        });
    }



    @Test
    void clientsAcceptingOtherCodingsAreNeverHandedGzip() throws Exception {
        negotiatingOrigin("/v", true);
        proxy.get("/v", "Accept-Encoding: gzip");
        proxy.await("HIT", "/v", "Accept-Encoding: gzip");

        RawHttp.Response zstd = proxy.get("/v", "Accept-Encoding: zstd");
        RawHttp.Response br = proxy.get("/v", "Accept-Encoding: br");
        RawHttp.Response deflate = proxy.get("/v", "Accept-Encoding: deflate");

        assertEquals("zstd", zstd.header("Content-Encoding"));
        assertEquals("br", br.header("Content-Encoding"));
        assertEquals("deflate", deflate.header("Content-Encoding"));
        assertEquals("gzip", proxy.await("HIT", "/v", "Accept-Encoding: gzip;q=1.0, identity").header("Content-Encoding"),
                "the same accepted set is the same variant");
    }

    @Test
    void aStoredCompressedBodyWithoutVaryIsNotServedToAClientThatRefusesIt() throws Exception {
        negotiatingOrigin("/nv", false); // an origin that forgets Vary
        proxy.get("/nv", "Accept-Encoding: gzip");
        proxy.await("HIT", "/nv", "Accept-Encoding: gzip");

        RawHttp.Response refusing = proxy.get("/nv", "Accept-Encoding: gzip;q=0, br");
        RawHttp.Response plain = proxy.get("/nv", "Accept-Encoding: identity");

        assertEquals("MISS", refusing.header("X-Cache"), "q=0 excludes the stored gzip");
        assertEquals("br", refusing.header("Content-Encoding"));
        assertEquals("MISS", plain.header("X-Cache"));
        assertNull(plain.header("Content-Encoding"));
        assertEquals("plain", plain.text());
    }

    @Test
    void aPlainStoredBodyGoesToEveryone() throws Exception {
        origin.on("/p", req -> req.response().putHeader("Cache-Control", "max-age=60").end("plain"));
        proxy.get("/p");
        proxy.await("HIT", "/p");

        assertEquals("HIT", proxy.get("/p", "Accept-Encoding: br").header("X-Cache"), "identity is always acceptable");
        assertEquals("MISS", proxy.get("/p", "Accept-Encoding: identity;q=0").header("X-Cache"),
                "unless the client refuses identity too");
    }
}
