package gt.quetzal.web;

import io.javalin.http.Context;
import java.text.Normalizer;

/** The API's query parameters: a missing one takes its default, a bad one is a 400 naming it (Spanish, for the page). */
final class QueryParams {

  static final int MAX_NAME_LENGTH = 200;

  private QueryParams() {}

  static int intParam(Context ctx, String name, int fallback, int min, int max) {
    return (int) longParam(ctx, name, fallback, min, max);
  }

  static long longParam(Context ctx, String name, long fallback, long min, long max) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      value = min - 1;
    }
    if (value < min || value > max) {
      throw ApiProblem.badParam(name, name + " debe ser un entero entre " + min + " y " + max + ".");
    }
    return value;
  }

  /** Band names are stored trimmed and NFC-normalised (ingest does it), so the filter is too. */
  static String optionalName(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return null;
    }
    String value = Normalizer.normalize(raw.strip(), Normalizer.Form.NFC);
    if (value.isEmpty() || value.length() > MAX_NAME_LENGTH) {
      throw ApiProblem.badParam(name, name + " debe tener entre 1 y " + MAX_NAME_LENGTH + " caracteres.");
    }
    return value;
  }

  static String requiredName(Context ctx, String name) {
    String value = optionalName(ctx, name);
    if (value == null) {
      throw ApiProblem.badParam(name, "Falta el parámetro " + name + ".");
    }
    return value;
  }

  static LogCursor cursorParam(Context ctx, String name) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return null;
    }
    try {
      return LogCursor.parse(raw);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badParam(
          name, name + " debe ser el cursor \"next\" de la página anterior (<epochMillis>,<id>): " + e.getMessage());
    }
  }
}
