package gt.quetzal.kit;

import java.util.function.Function;

/**
 * The first ping of a store at start-up. A store that refuses the credentials will not accept them on
 * a retry, so that stops the service with a message naming the variable to fix (the password
 * redacted); any other failure is an outage the service rides out, so it is handed back for a log line.
 */
public final class CredentialCheck {

  private CredentialCheck() {}

  /**
   * Runs {@code ping}.
   *
   * @param variable the environment variable holding the URI, named in the message
   * @param uri      the URI, shown redacted
   * @param refusal  the store's refusal in a failure (its own reply text), or {@code null} when the
   *                 failure is something else
   * @return {@code null} when the store answered; the failure when it is unreachable
   * @throws IllegalStateException when the store refused the credentials
   */
  public static RuntimeException ping(
      String variable, String uri, Runnable ping, Function<RuntimeException, String> refusal) {
    try {
      ping.run();
      return null;
    } catch (RuntimeException e) {
      String reply = refusal.apply(e);
      if (reply != null) {
        throw new IllegalStateException(Redact.credentialsRejected(variable, uri, reply));
      }
      return e;
    }
  }
}
