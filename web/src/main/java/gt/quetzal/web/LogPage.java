package gt.quetzal.web;

import java.util.List;

/**
 * One newest-first page of a log.
 *
 * @param next where the following (older) page starts, or {@code null} when this is the last page
 */
public record LogPage<T>(List<T> items, LogCursor next) {
  public LogPage {
    items = List.copyOf(items);
  }
}
