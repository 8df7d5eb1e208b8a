package dev.outrigger.proxy;

import java.time.Duration;

/**
 * How the traffic port leaves at shutdown ({@link ProxyServer#drain}).
 *
 * @param delay readiness down, requests still served: the time Services take to stop sending traffic here
 * @param grace then new connections are refused and requests in flight get this long to finish
 */
public record DrainSettings(Duration delay, Duration grace) {}
