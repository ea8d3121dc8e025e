package dev.grace.neo4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParser;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.server.configuration.ServerSettings;

/**
 * Starts Grace's Neo4j: a Neo4j Community DBMS, through the embedded API, with Bolt, HTTP
 * (Neo4j Browser at /browser/) and the procedure plugins (APOC core, OpenGDS) found in the
 * plugins directory.
 *
 * <pre>
 * NEO4J_PASSWORD=... java @jvm.options -Xmx1g -jar grace-neo4j.jar --home DIR
 *     [--bolt HOST:PORT] [--http HOST:PORT] [--plugins DIR] [--pagecache SIZE]
 *     [--tx-log-retention POLICY] [--browser-post-connect-cmd CMDS] [--browser-allowlist HOSTS]
 * </pre>
 *
 * <p>Transaction logs are kept up to {@code --tx-log-retention} (a
 * {@code db.tx_log.rotation.retention_policy} value, default {@code 1G size}): Neo4j's own
 * default keeps two days of them, which bulk trust passes and re-ingests grew past 30 GB. A
 * policy Neo4j refuses stops the start like any other bad setting (exit 1, naming it).
 *
 * <p>{@code --browser-post-connect-cmd} ({@code browser.post_connect_cmd}) holds the commands
 * Neo4j Browser runs once connected, separated by {@code ;} (Grace's API passes
 * {@code style <its URL>/browser/grace.grass; play <its URL>/browser/guide.html}, see
 * {@code api/browser.py}); {@code --browser-allowlist}
 * ({@code browser.remote_content_hostname_allowlist}) the comma-separated hosts Browser may fetch
 * styles and guides from, which must name the API's host. Both default to Neo4j's own defaults.
 *
 * The password of the {@code neo4j} user is taken from {@code NEO4J_PASSWORD} only and is set
 * again at every start. Stdout carries exactly two lines for supervisors: {@code GRACE-NEO4J
 * READY bolt://... http://...} once the DBMS serves requests, and {@code GRACE-NEO4J STOPPED}
 * after a clean shutdown (SIGTERM or SIGINT, exit status 0). Neo4j's own logs go to
 * {@code <home>/logs/}.
 *
 * <p>Exit status: 0 after a clean stop, 1 if the DBMS cannot start (port in use, store locked,
 * ...), 2 for a usage or password error.
 */
public final class Launcher {

    private static final String USAGE = "usage: NEO4J_PASSWORD=... java @jvm.options -jar grace-neo4j.jar"
            + " --home DIR [--bolt HOST:PORT] [--http HOST:PORT] [--plugins DIR] [--pagecache SIZE]"
            + " [--tx-log-retention POLICY] [--browser-post-connect-cmd CMDS] [--browser-allowlist HOSTS]";

    /** Neo4j refuses passwords shorter than this (dbms.security.auth_minimum_password_length). */
    private static final int MIN_PASSWORD_LENGTH = 8;

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parseArgs(args);
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw fail(2, "NEO4J_PASSWORD must be set to at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        SocketAddress bolt = parseAddress(options, "--bolt", "127.0.0.1:7687");
        SocketAddress http = parseAddress(options, "--http", "127.0.0.1:7474");
        long pagecache = parseOption(options, "--pagecache", "256m", SettingValueParsers.BYTES);
        String txLogRetention = options.getOrDefault("--tx-log-retention", "1G size");
        Path plugins = options.containsKey("--plugins")
                ? Path.of(options.get("--plugins"))
                : jarDirectory().resolve("plugins");

        DatabaseManagementService dbms;
        try {
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(
                    Path.of(options.get("--home")).toAbsolutePath());
            if (options.containsKey("--browser-post-connect-cmd")) {
                builder.setConfig(ServerSettings.browser_post_connect_cmd,     // browser.post_connect_cmd
                        options.get("--browser-post-connect-cmd"));
            }
            if (options.containsKey("--browser-allowlist")) {
                builder.setConfig(ServerSettings.browser_remote_content_hostname_whitelist, // browser.remote_content_hostname_allowlist
                        options.get("--browser-allowlist"));
            }
            dbms = builder
                    .setConfig(BoltConnector.enabled, true)                     // server.bolt.enabled
                    .setConfig(BoltConnector.listen_address, bolt)              // server.bolt.listen_address
                    .setConfig(BoltConnector.advertised_address, bolt)          // server.bolt.advertised_address
                    .setConfig(HttpConnector.enabled, true)                     // server.http.enabled
                    .setConfig(HttpConnector.listen_address, http)              // server.http.listen_address
                    .setConfig(HttpConnector.advertised_address, http)          // server.http.advertised_address
                    .setConfig(HttpsConnector.enabled, false)                   // server.https.enabled
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)        // dbms.security.auth_enabled
                    .setConfig(GraphDatabaseSettings.plugin_dir, plugins.toAbsolutePath()) // server.directories.plugins
                    .setConfig(GraphDatabaseSettings.procedure_unrestricted,    // dbms.security.procedures.unrestricted
                            List.of("apoc.*", "gds.*"))
                    .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache) // server.memory.pagecache.size
                    .setConfig(GraphDatabaseSettings.keep_logical_logs,         // db.tx_log.rotation.retention_policy
                            txLogRetention)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)        // dbms.usage_report.enabled
                    .setConfig(ServerSettings.allow_telemetry, false)           // client.allow_telemetry (Browser)
                    // Bolt's two Netty event loop groups each wait out a 5 s quiet period at
                    // shutdown; 1 s keeps a SIGTERM stop at a few seconds.
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1)
                    .build();
        } catch (RuntimeException e) {
            throw fail(1, "Neo4j failed to start: " + describe(e));
        }

        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            dbms.shutdown();
            throw fail(1, "could not set the neo4j password: " + describe(e));
        }

        // From here on the only way out is a signal: shut down cleanly (releasing the store lock),
        // report, and exit 0. halt() because System.exit() would block inside a shutdown hook,
        // and without it a signal ends the JVM with status 128+signal.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
            } catch (RuntimeException e) {
                System.err.println("grace-neo4j: unclean shutdown: " + describe(e));
                Runtime.getRuntime().halt(1);
            }
            System.out.println("GRACE-NEO4J STOPPED");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }, "grace-neo4j-shutdown"));

        System.out.println("GRACE-NEO4J READY bolt://" + bolt + " http://" + http);
        System.out.flush();
        Thread.currentThread().join(); // wait for the shutdown hook
    }

    /** Makes the neo4j user's password the given one; embedded transactions run with full rights. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            // Neo4j refuses to "change" a password to its current value: nothing to do then.
            if (!e.getMessage().contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    /** The option's value (or the default) parsed the way Neo4j parses the matching setting. */
    private static <T> T parseOption(
            Map<String, String> options, String name, String fallback, SettingValueParser<T> parser) {
        String value = options.getOrDefault(name, fallback);
        try {
            return parser.parse(value);
        } catch (IllegalArgumentException e) {
            throw fail(2, "bad " + name + " '" + value + "': " + e.getMessage() + "\n" + USAGE);
        }
    }

    /** A HOST:PORT option; Neo4j alone would also take a bare host or port. */
    private static SocketAddress parseAddress(Map<String, String> options, String name, String fallback) {
        SocketAddress address = parseOption(options, name, fallback, SettingValueParsers.SOCKET_ADDRESS);
        if (address.getHostname().isEmpty() || address.getPort() < 0) {
            throw fail(2, "bad " + name + " '" + address + "': HOST:PORT expected\n" + USAGE);
        }
        return address;
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!name.matches("--(home|bolt|http|plugins|pagecache|tx-log-retention"
                    + "|browser-post-connect-cmd|browser-allowlist)") || i + 1 >= args.length) {
                throw fail(2, USAGE);
            }
            options.put(name, args[i + 1]);
        }
        if (!options.containsKey("--home")) {
            throw fail(2, USAGE);
        }
        return options;
    }

    /** The directory holding grace-neo4j.jar (target/ after a build). */
    private static Path jarDirectory() throws Exception {
        return Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    }

    /** The exception's message followed by its root cause's, on one line. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + root + ")";
        return message.replaceAll("\\s*\\R\\s*", " ");
    }

    /** Reports the error on stderr and exits; declared to return so callers can write {@code throw fail(...)}. */
    private static Error fail(int status, String message) {
        System.err.println("grace-neo4j: " + message);
        System.exit(status);
        return new AssertionError("unreachable");
    }
}
