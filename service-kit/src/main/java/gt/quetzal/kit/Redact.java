package gt.quetzal.kit;

import java.util.regex.Pattern;

/**
 * Keeps passwords out of log lines and error messages: connection URIs (REDIS_URL, MONGO_URI) carry
 * their credentials in the user-info part, so every service prints them through here.
 */
public final class Redact {

  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");

  /** Redis's replies to a refused login or command: a wrong password, none given, or an ACL denial. */
  private static final Pattern REDIS_REFUSAL = Pattern.compile("(?s)^(WRONGPASS|NOAUTH|NOPERM)\\b.*");

  private Redact() {}

  /**
   * The URI with its user-info (user and password) replaced by {@code ***}: everything between the
   * scheme and the last {@code @} before the query, so a password holding a raw {@code /}, {@code @}
   * or {@code :} is hidden whole. A path with an {@code @} is hidden too: too much, never too little.
   * Works on multi-host MongoDB URIs, which {@link java.net.URI} rejects.
   */
  public static String uri(String uri) {
    var scheme = SCHEME.matcher(uri);
    if (!scheme.find()) {
      return uri;
    }
    int start = scheme.end();
    int end = uri.length();
    for (char stop : new char[] {'?', '#'}) {
      int at = uri.indexOf(stop, start);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    int lastAt = uri.lastIndexOf('@', end - 1);
    return lastAt < start ? uri : uri.substring(0, start) + "***" + uri.substring(lastAt);
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
