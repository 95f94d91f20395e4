package govgraph.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Embeds a Neo4j Community 5.26 DBMS and serves it over Bolt on 127.0.0.1.
 *
 * <pre>
 * java [--add-opens ...] -cp neo4j-launcher.jar:lib/* govgraph.launcher.Neo4jLauncher \
 *      --port 7687 --home /path/to/home [--pagecache 256m]
 * </pre>
 *
 * The password of the {@code neo4j} user is taken from the environment variable
 * NEO4J_PASSWORD (default "govgraph-test"). Once Bolt accepts authenticated
 * connections a single line "GOVGRAPH-NEO4J READY bolt://127.0.0.1:PORT" is
 * printed to stdout. SIGTERM (or SIGINT) shuts the DBMS down cleanly.
 */
public final class Neo4jLauncher {

    static final String DEFAULT_PASSWORD = "govgraph-test";

    private Neo4jLauncher() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Startup failed (port in use, bad store, ...). System.exit ends the JVM
            // despite any non-daemon threads and still runs the shutdown hook.
            System.err.println("GOVGRAPH-NEO4J FAILED: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int port = 7687;
        Path home = null;
        String pagecache = "256m";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--home", "--data" -> home = Path.of(value(args, ++i, a));
                case "--pagecache" -> pagecache = value(args, ++i, a);
                default -> usage("unknown argument: " + a);
            }
        }
        if (home == null) {
            usage("--home is required");
        }
        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", "");
        if (password.isEmpty()) {
            password = DEFAULT_PASSWORD;
        }

        home = home.toAbsolutePath();
        Files.createDirectories(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Any password the caller chooses is accepted (default minimum is 8).
                .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
                // Throwaway databases: no preallocation, keep as little tx log as allowed.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                // Bolt waits 5 s twice on shutdown by default, after the databases have
                // been checkpointed and closed; 1 s each is plenty for a local server. The
                // "worker event loop group has exceeded maximum permitted duration"
                // warning this causes in debug.log is harmless.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                // Never phone home.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("GOVGRAPH-NEO4J shutting down");
            try {
                dbms.shutdown();
            } finally {
                System.err.println("GOVGRAPH-NEO4J stopped");
                stopped.countDown();
            }
        }, "govgraph-neo4j-shutdown"));

        setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);

        System.out.println("GOVGRAPH-NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();

        // Keep the JVM alive until the shutdown hook has run.
        stopped.await();
    }

    /**
     * Sets the neo4j user's password, with no change required at first login.
     * Embedded transactions run without authentication, so this also works when
     * the data directory was created with another password. Neo4j refuses to
     * "change" a password to its current value; on a restart that is expected.
     */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            if (!causeMentions(e, "Old password and new password cannot be the same")) {
                throw e;
            }
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static boolean causeMentions(Throwable t, String text) {
        for (; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            usage("missing value for " + name);
        }
        return args[i];
    }

    private static void usage(String message) {
        System.err.println("error: " + message);
        System.err.println("usage: Neo4jLauncher --port PORT --home DIR [--pagecache 256m]");
        System.exit(2);
    }
}
