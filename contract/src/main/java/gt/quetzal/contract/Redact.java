package gt.quetzal.contract;

import java.util.regex.Pattern;

/**
 * Keeps passwords out of log lines and error messages: connection URIs (REDIS_URL, MONGO_URI) carry
 * their credentials in the user-info part, so every service prints them through here.
 */
public final class Redact {

  // scheme://user:password@host → scheme://***@host ; works for multi-host Mongo URIs that java.net.URI rejects.
  private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@");

  /** Redis's replies to a refused login or command: a wrong password, none given, or an ACL denial. */
  private static final Pattern REDIS_REFUSAL = Pattern.compile("(?s)^(WRONGPASS|NOAUTH|NOPERM)\\b.*");

  private Redact() {}

  /** The URI with its user-info (user and password) replaced by {@code ***}. */
  public static String uri(String uri) {
    return USER_INFO.matcher(uri).replaceFirst("$1***@");
  }

  /**
   * The message a service fails with when a store refuses its credentials: names the variable to fix
   * and the store's own reply (which never echoes the password), shows the URI redacted.
   */
  public static String credentialsRejected(String variable, String uri, String reply) {
    return variable + ": " + uri(uri) + " refused the credentials given in " + variable + " (" + reply + ")."
        + " Retrying will not help; fix the password (on Kubernetes, the Secret behind " + variable + ").";
  }

  /**
   * Redis's refusal (WRONGPASS, NOAUTH, NOPERM) anywhere in a failure's cause chain, or {@code null} when
   * the failure is something else (an unreachable server, a timeout) that retrying may cure.
   */
  public static String redisRefusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && REDIS_REFUSAL.matcher(t.getMessage()).matches()) {
        return t.getMessage();
      }
    }
    return null;
  }
}
