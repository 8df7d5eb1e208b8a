package dev.outrigger.client;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * The one Vert.x Web Client for calls that are not the proxied request (the session resolver today; remote
 * aggregate parts and warming next): its own pool, short connect timeout, keep-alive, no redirects followed (a
 * resolver that redirects is misconfigured, and a token must not follow it elsewhere).
 */
public final class OutboundClient {

    private OutboundClient() {}

    public static WebClient create(Vertx vertx) {
        return WebClient.create(vertx, new WebClientOptions()
                .setUserAgent("outrigger")
                .setConnectTimeout(2_000)
                .setKeepAlive(true)
                .setMaxPoolSize(32)
                .setFollowRedirects(false)
                .setTryUseCompression(false));
    }
}
