package gt.quetzal.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a headless Locust 2.12 run reports in the files of {@code --csv PREFIX}: the aggregated request
 * and failure counts ({@code PREFIX_stats.csv}), each failure ({@code PREFIX_failures.csv}) and each
 * exception raised in a task ({@code PREFIX_exceptions.csv}, e.g. {@code res.json()} on a body that is
 * not JSON). Locust 2.12 has no {@code --json}. Exception tracebacks span lines inside quotes, so the
 * files are read as RFC 4180 CSV, not line by line.
 */
record LocustCsv(long requests, long failedRequests, List<String> failures, long exceptions, List<String> exceptionMessages) {

  /** No failed request, no failure row and no exception: what a healthy run reports. */
  boolean clean() {
    return failedRequests == 0 && failures.isEmpty() && exceptions == 0;
  }

  /** @throws IllegalStateException when a file is missing or has no Aggregated row (Locust did not finish) */
  static LocustCsv read(Path prefix) {
    List<List<String>> stats = rows(file(prefix, "_stats.csv"));
    List<String> header = stats.get(0);
    int name = column(header, "Name");
    int count = column(header, "Request Count");
    int failureCount = column(header, "Failure Count");
    List<String> total =
        stats.stream()
            .skip(1)
            .filter(row -> row.size() > name && row.get(name).equals("Aggregated"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException(prefix + "_stats.csv has no Aggregated row"));

    List<List<String>> failureRows = rows(file(prefix, "_failures.csv"));
    int error = column(failureRows.get(0), "Error");
    int occurrences = column(failureRows.get(0), "Occurrences");
    List<String> failures = new ArrayList<>();
    for (List<String> row : failureRows.subList(1, failureRows.size())) {
      failures.add(row.get(occurrences) + " x " + row.get(error));
    }

    List<List<String>> exceptionRows = rows(file(prefix, "_exceptions.csv"));
    int exceptionCount = column(exceptionRows.get(0), "Count");
    int message = column(exceptionRows.get(0), "Message");
    long exceptions = 0;
    List<String> messages = new ArrayList<>();
    for (List<String> row : exceptionRows.subList(1, exceptionRows.size())) {
      exceptions += Long.parseLong(row.get(exceptionCount));
      messages.add(row.get(exceptionCount) + " x " + row.get(message));
    }
    return new LocustCsv(
        Long.parseLong(total.get(count)), Long.parseLong(total.get(failureCount)), failures, exceptions, messages);
  }

  private static String file(Path prefix, String suffix) {
    Path path = prefix.resolveSibling(prefix.getFileName() + suffix);
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Locust left no " + path, e);
    }
  }

  private static int column(List<String> header, String name) {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new IllegalStateException("no column " + name + " in " + header);
    }
    return index;
  }

  /** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
  static List<List<String>> rows(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++; // Python's csv module ends rows with \r\n
        }
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new IllegalStateException("CSV ends inside a quoted field");
    }
    if (field.length() > 0 || !row.isEmpty()) {
      row.add(field.toString());
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException("empty CSV: Locust wrote no header");
    }
    return rows;
  }
}
