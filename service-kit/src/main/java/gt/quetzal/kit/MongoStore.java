package gt.quetzal.kit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoSecurityException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code MONGO_URI} from the environment to a connected client, the same for every service that uses MongoDB. */
public final class MongoStore {

  public static final String VARIABLE = "MONGO_URI";
  /** For a developer's machine only: no credentials. */
  public static final String DEV_DEFAULT = "mongodb://localhost:27017";

  private static final Logger log = LoggerFactory.getLogger(MongoStore.class);

  private MongoStore() {}

  /** Reads MONGO_URI; one the driver cannot parse is reported to {@code env} by name only. */
  public static String uri(EnvReader env) {
    String uri = env.string(VARIABLE, DEV_DEFAULT);
    try {
      new ConnectionString(uri);
    } catch (IllegalArgumentException e) {
      // The driver's message can echo the URI; name the variable only so no password reaches the log.
      env.problem(VARIABLE + " is not a valid MongoDB connection string");
    }
    return uri;
  }

  /**
   * A client that gives up on an unreachable server after {@code connect} (server selection and the
   * socket's connect) and on a silent one after {@code read}, instead of the driver's 30 s. Settings in
   * the URI win.
   */
  public static MongoClient client(String uri, String applicationName, Duration connect, Duration read) {
    MongoClientSettings settings =
        MongoClientSettings.builder()
            .applicationName(applicationName)
            .applyToClusterSettings(b -> b.serverSelectionTimeout(connect.toMillis(), TimeUnit.MILLISECONDS))
            .applyToSocketSettings(
                b -> b.connectTimeout(connect.toMillis(), TimeUnit.MILLISECONDS)
                    .readTimeout(read.toMillis(), TimeUnit.MILLISECONDS))
            .applyConnectionString(new ConnectionString(uri))
            .build();
    return MongoClients.create(settings);
  }

  /**
   * The first ping of {@code database}: refused credentials stop the start naming MONGO_URI (never the
   * password); an unreachable MongoDB only logs, saying what the service does {@code meanwhile}.
   */
  public static void refuseRejectedCredentials(MongoClient mongo, String uri, String database, String meanwhile) {
    RuntimeException down =
        CredentialCheck.ping(
            VARIABLE,
            uri,
            () -> mongo.getDatabase(database).runCommand(new Document("ping", 1)),
            e -> e instanceof MongoSecurityException ? refusal(e) : null);
    if (down != null) {
      log.warn("MongoDB at {} does not answer yet ({}); {}", Redact.uri(uri), down.toString(), meanwhile);
    }
  }

  private static String refusal(RuntimeException e) {
    return e.getCause() != null ? e.getCause().getMessage() : "authentication failed";
  }
}
