import io.vertx.core.*;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.*;

/**
 * The ceiling for any Vert.x HTTP/1.1 server on a machine: a fixed 1 KiB answer, one verticle per core, no
 * cache and no checks. Run it beside Outrigger to see how much of the hit path's cost is the framework's:
 *
 *   java -XX:+UseSerialGC -Xms128m -Xmx128m -cp "$(ls target/quarkus-app/lib/main/*.jar | tr '\n' :)" bench/lib/VertxFloor.java 28100
 *   wrk -t2 -c64 -d10s http://127.0.0.1:28100/
 */
public class VertxFloor {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Buffer body = Buffer.buffer(new byte[1024]);
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start() {
                vertx.createHttpServer().requestHandler(req -> req.response()
                        .putHeader("Cache-Control", "public, max-age=3600").putHeader("Content-Type", "application/octet-stream")
                        .putHeader("X-Cache", "HIT").end(body)).listen(port);
            }
        }, new DeploymentOptions().setInstances(2));
    }
}
