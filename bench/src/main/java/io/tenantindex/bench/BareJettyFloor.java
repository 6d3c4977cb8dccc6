package io.tenantindex.bench;

import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.http.HttpServers;
import io.tenantindex.lookup.ColoConfig;
import io.tenantindex.lookup.ColoServer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The JVM's HTTP floor, run in its own JVM: a bare Jetty server of the colo's Jetty version, thread pool
 * and request limits answering every request with one fixed body (the colo's answer for one tenant).
 * Args: {@code <port> <body file>}.
 */
public final class BareJettyFloor {
    private BareJettyFloor() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        // Only its thread pool is used: no tokens needed.
        ColoConfig colo = ColoConfig.from(Settings.of(Map.of(ConfigKeys.COLO, "FLOOR", ConfigKeys.AUTH_DISABLED, "true")));
        Server server = new Server(ColoServer.httpThreadPool(colo));
        HttpConfiguration http = new HttpConfiguration();
        HttpServers.limitRequests(http);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(LoadTools.HOST);
        connector.setPort(port);
        HttpServers.tuneConnector(connector);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        server.join();
    }
}
