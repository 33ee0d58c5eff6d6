package gt.quetzal.web;

import java.util.Objects;

/**
 * Where a newest-first page of a log ended: the last entry's timestamp and {@code _id}. The next page
 * holds entries strictly older in (timestamp, _id) order, so paging neither skips nor repeats an entry
 * while new ones keep arriving at the top. Written as {@code <epochMillis>,<id>}; the id may itself
 * contain commas (only the first one separates).
 */
public record LogCursor(long at, String id) {

  static final int MAX_ID_LENGTH = 200;

  public LogCursor {
    Objects.requireNonNull(id, "id");
  }

  /** @throws IllegalArgumentException when {@code text} is not {@code <epochMillis>,<id>} */
  public static LogCursor parse(String text) {
    int comma = text.indexOf(',');
    if (comma <= 0 || comma == text.length() - 1) {
      throw new IllegalArgumentException("expected <epochMillis>,<id>");
    }
    String millis = text.substring(0, comma);
    String id = text.substring(comma + 1);
    if (!millis.chars().allMatch(c -> c >= '0' && c <= '9') || millis.length() > 15) {
      throw new IllegalArgumentException("the part before the comma must be epoch milliseconds");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("the id is longer than " + MAX_ID_LENGTH + " characters");
    }
    return new LogCursor(Long.parseLong(millis), id);
  }

  @Override
  public String toString() {
    return at + "," + id;
  }
}
