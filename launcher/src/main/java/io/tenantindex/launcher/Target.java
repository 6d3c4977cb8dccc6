package io.tenantindex.launcher;

import io.javalin.http.Header;
import io.tenantindex.common.Json;
import io.tenantindex.common.config.ConfigKeys;
import io.tenantindex.common.config.Settings;
import io.tenantindex.common.http.BearerAuth;
import io.tenantindex.protocol.ApiHeaders;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;


/** Where the stack is and how to print: the options every client subcommand mixes in. */
final class Target {
    /** The CLI's settings come from TENANT_INDEX_* variables as every service's do; the flags below win. */
    private final Settings settings = Settings.fromEnvironment(System.getenv());

    @Option(names = "--writer-url", description = "index-writer URL (env TENANT_INDEX_WRITER_URL, default ${DEFAULT-VALUE}).")
    String writerUrl = setting(ConfigKeys.WRITER_URL);
    @Option(names = "--colos", description = "Colo lookup URLs by port on --colo-host (env TENANT_INDEX_COLOS, default ${DEFAULT-VALUE}).")
    String colos = setting(ConfigKeys.COLOS);
    @Option(names = "--colo-host", description = "Host of the colos (env TENANT_INDEX_COLO_HOST, default ${DEFAULT-VALUE}).")
    String coloHost = setting(ConfigKeys.COLO_HOST);
    @Option(names = "--sink-url", description = "usage-log-sink URL (env TENANT_INDEX_SINK_URL, default ${DEFAULT-VALUE}).")
    String sinkUrl = setting(ConfigKeys.SINK_URL);
    @Option(names = "--json", description = "Print the raw JSON answer.")
    boolean json;
    @Option(names = "--auth-token", description = "Bearer token for writes/admin operations (default: TENANT_INDEX_WRITER_TOKEN or "
            + "TENANT_INDEX_ADMIN_TOKEN, else the local stack's <data-dir>/credentials/*.token).")
    String authToken;

    private String setting(String key) {
        return settings.string(key, ConfigKeys.defaultOf(key));
    }

    /** Adds the bearer token of {@code role} when one is known; the server says 401 otherwise. */
    HttpRequest.Builder authorized(HttpRequest.Builder request, BearerAuth.Role role) {
        String key = role == BearerAuth.Role.ADMIN ? ConfigKeys.ADMIN_TOKEN : ConfigKeys.WRITER_TOKEN;
        String file = role == BearerAuth.Role.ADMIN ? Credentials.ADMIN_FILE : Credentials.WRITER_FILE;
        Optional<String> known = Optional.ofNullable(authToken).or(() -> Optional.ofNullable(settings.string(key, null)))
                .or(() -> Credentials.read(Credentials.directory(Path.of(setting(ConfigKeys.DATA_DIR))).resolve(file)));
        known.ifPresent(t -> request.header(Header.AUTHORIZATION, "Bearer " + t));
        return request;
    }

    Map<String, Integer> coloPorts() {
        return LocalStackConfig.parseColos(colos);
    }

    String coloUrl(String colo) {
        Integer port = coloPorts().get(colo.toUpperCase(Locale.ROOT));
        if (port == null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "unknown colo " + colo + "; known: " + coloPorts().keySet());
        }
        return "http://" + coloHost + ":" + port;
    }

    /** A {@code --colo} value: a colo's URL, or the writer's for {@code writer}, which serves the same reads. */
    String readerUrl(String colo) {
        return "writer".equalsIgnoreCase(colo) ? writerUrl : coloUrl(colo);
    }

    /** Prints the answer (pretty, or raw with --json) and returns the exit code. */
    int print(HttpResponse<String> r) {
        String body = r.body();
        if (!json && !body.isBlank()) {
            try {
                body = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(body));
            } catch (IOException e) {
                // Not JSON: print as it came.
            }
        }
        if (!json) {
            System.out.println("HTTP " + r.statusCode()
                    + r.headers().firstValue(ApiHeaders.CONSISTENCY_TOKEN).map(t -> "  token " + t).orElse("")
                    + r.headers().firstValue(ApiHeaders.COLO).map(c -> "  colo " + c).orElse(""));
        }
        if (!body.isBlank()) {
            (ApiClient.exitCode(r) == 0 ? System.out : System.err).println(body);
        }
        return ApiClient.exitCode(r);
    }
}
