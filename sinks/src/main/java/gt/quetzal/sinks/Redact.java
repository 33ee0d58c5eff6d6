package gt.quetzal.sinks;

import java.util.regex.Pattern;

/** Hides the user-info part of a connection URI before it is logged. */
final class Redact {

  // scheme://user:password@host → scheme://***@host ; works for multi-host Mongo URIs that java.net.URI rejects.
  private static final Pattern USER_INFO = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@");

  private Redact() {}

  static String uri(String uri) {
    return USER_INFO.matcher(uri).replaceFirst("$1***@");
  }
}
