package gt.quetzal.ingest.corpus;

import gt.quetzal.proto.v1.CastStreamRequest;
import gt.quetzal.proto.v1.Vote;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Several hundred malformed inputs for both front doors, generated from a few lists of bad values
 * crossed with the fields they can go into, plus bodies, media types, methods and raw protobuf bytes
 * that are broken as a whole. Each input names what the route must answer: the HTTP status (always
 * 4xx) and the {@code field:code} of the problem's error, or the gRPC code and the field of its
 * {@code BadRequest}. {@code BadInputTableTest} is the small, readable table (one case per rule);
 * this is the wide net: hostile and odd inputs (NUL bytes, markup, operator objects, huge numbers,
 * broken encodings, deep nesting, stalled bodies) that must all be refused without a crash.
 *
 * <p>Shared with the e2e module (test-jar), which runs it against the real services on a real
 * broker and checks that none of it reaches {@code votes.raw} or the tallies.
 */
public final class BadInputCorpus {

  /** The limits the services under test run with; the corpus sizes its edge cases from them. */
  public record Limits(
      int maxBodyBytes, int maxBatchSize, int maxBatchBodyBytes, int maxFieldLength, int maxVoteIdLength, int maxYear) {
    /** The services' defaults, with the latest valid year given. */
    public static Limits defaults(int maxYear) {
      return new Limits(16_384, 1_000, 1_048_576, 200, 100, maxYear);
    }
  }

  /**
   * One HTTP request and what it must get.
   *
   * @param contentType null to send no Content-Type
   * @param field       expected {@code field} of one of the problem's errors; null when none is
   *                    expected (404, 405)
   * @param code        expected {@code code} of that error; null to accept any
   */
  public record HttpCase(
      String label, String method, String path, String contentType, Map<String, String> headers, byte[] body, int status,
      String field, String code) {
    @Override
    public String toString() {
      return "HTTP " + label;
    }
  }

  /** How a gRPC input is sent. */
  public enum GrpcKind {
    /** {@code Cast} with {@link GrpcCase#vote()}. */
    CAST,
    /** {@code Cast} with {@link GrpcCase#raw()} as the request bytes. */
    CAST_RAW,
    /** {@code CastStream} with one message of {@link GrpcCase#votes()}; the vote must be acked INVALID. */
    STREAM,
    /** {@code CastStream} with {@link GrpcCase#raw()} as the one message's bytes: the stream must fail. */
    STREAM_RAW
  }

  /**
   * One gRPC input and what it must get.
   *
   * @param code   the expected status (for {@link GrpcKind#STREAM}: INVALID_ARGUMENT means "acked INVALID")
   * @param field  the expected field of a violation (BadRequest, or the ack's violations); null for none
   * @param reason the expected {@code BadRequest} reason; null to accept any (stream acks carry none)
   */
  public record GrpcCase(
      String label, GrpcKind kind, Vote vote, List<Vote> votes, byte[] raw, Status.Code code, String field, String reason) {
    @Override
    public String toString() {
      return "gRPC " + label;
    }
  }

  private BadInputCorpus() {}

  // ---- building blocks -------------------------------------------------------------------------

  /** The seed vote, valid: every case breaks exactly one thing in it. */
  public static Map<String, String> goodFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", "\"Malacates Trébol Shop\"");
    fields.put("album", "\"Resaca\"");
    fields.put("year", "2002");
    fields.put("rank", "87");
    return fields;
  }

  public static final Vote GOOD_VOTE =
      Vote.newBuilder().setName("Malacates Trébol Shop").setAlbum("Resaca").setYear(2002).setRank(87).build();

  /** The good vote with {@code field} set to the raw JSON {@code value} (or removed when null). */
  public static String voteWith(String field, String value) {
    Map<String, String> fields = goodFields();
    if (value == null) {
      fields.remove(field);
    } else {
      fields.put(field, value);
    }
    List<String> members = new ArrayList<>();
    fields.forEach((name, raw) -> members.add(json(name) + ":" + raw));
    return "{" + String.join(",", members) + "}";
  }

  public static final String GOOD_JSON = voteWith("rank", "87");

  /** A JSON string literal; non-ASCII and controls are escaped so the bytes stay valid UTF-8. */
  public static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** A bad text value and the code the validator must give it. */
  private record BadText(String label, String value, String code) {}

  /** Control characters, markup, bad Unicode and lengths: for name, album and voterId alike. */
  private static List<BadText> badTexts(Limits limits) {
    int over = limits.maxFieldLength() + 1;
    List<BadText> list = new ArrayList<>();
    // control characters, NUL first (C0 inside the text: surrounding whitespace is trimmed)
    list.add(new BadText("NUL alone", "\u0000", "invalid_text"));
    list.add(new BadText("NUL inside", "Alux\u0000Nahual", "invalid_text"));
    list.add(new BadText("NUL at the end", "Alux Nahual\u0000", "invalid_text"));
    list.add(new BadText("bell", "a\u0007b", "invalid_text"));
    list.add(new BadText("escape sequence", "\u001b[31mred\u001b[0m", "invalid_text"));
    list.add(new BadText("inner tab", "a\tb", "invalid_text"));
    list.add(new BadText("inner newline", "line\nbreak", "invalid_text"));
    list.add(new BadText("inner carriage return", "a\rb", "invalid_text"));
    list.add(new BadText("CRLF header injection", "a\r\nSet-Cookie: x=1", "invalid_text"));
    list.add(new BadText("DEL", "a\u007fb", "invalid_text"));
    list.add(new BadText("C1 NEL", "a\u0085b", "invalid_text"));
    list.add(new BadText("C1 CSI", "a\u009bb", "invalid_text"));
    // markup
    list.add(new BadText("script tag", "<script>window.__pwned=2</script>", "invalid_text"));
    list.add(new BadText("img onerror", "<img src=x onerror=\"window.__pwned=1\">", "invalid_text"));
    list.add(new BadText("svg onload", "</title><svg onload=alert(1)>", "invalid_text"));
    list.add(new BadText("iframe", "<iframe src=javascript:alert(1)>", "invalid_text"));
    list.add(new BadText("attribute breakout", "\"><script>alert(1)</script>", "invalid_text"));
    list.add(new BadText("anchor javascript", "<a href=\"javascript:alert(1)\">x</a>", "invalid_text"));
    list.add(new BadText("style tag", "<style>*{display:none}</style>", "invalid_text"));
    list.add(new BadText("HTML comment", "<!-- x -->", "invalid_text"));
    list.add(new BadText("lone less-than", "a<b", "invalid_text"));
    list.add(new BadText("lone greater-than", "a>b", "invalid_text"));
    list.add(new BadText("markup after accents", "Trébol <b>Shop</b>", "invalid_text"));
    // invisible formatting: a lookalike name would be a second band, a direction override misreads
    list.add(new BadText("zero-width space", "Queen\u200B", "invalid_text"));
    list.add(new BadText("zero-width joiner inside", "Alux\u200DNahual", "invalid_text"));
    list.add(new BadText("byte-order mark inside", "Alux\uFEFFNahual", "invalid_text"));
    list.add(new BadText("right-to-left override", "\u202EacaseR", "invalid_text"));
    list.add(new BadText("left-to-right isolate", "a\u2066b\u2069", "invalid_text"));
    list.add(new BadText("soft hyphen", "Tam\u00ADbor", "invalid_text"));
    list.add(new BadText("line separator", "a\u2028b", "invalid_text"));
    // Unicode that is not text
    list.add(new BadText("lone high surrogate", "a\ud800b", "invalid_text"));
    list.add(new BadText("lone low surrogate", "a\udfffb", "invalid_text"));
    list.add(new BadText("reversed pair", "\udc00\ud800", "invalid_text"));
    // lengths (in code points after NFC)
    list.add(new BadText("one over the limit", "x".repeat(over), "too_long"));
    list.add(new BadText("accented over the limit", "é".repeat(over), "too_long"));
    list.add(new BadText("decomposed accents over the limit", "e\u0301".repeat(over), "too_long"));
    list.add(new BadText("emoji over the limit", "\ud83c\udfb8".repeat(over), "too_long"));
    list.add(new BadText("ten times the limit", "Alux ".repeat(over * 2), "too_long"));
    return list;
  }

  /** Blank values: required text fields refuse them; voterId treats them as absent (so not here). */
  private static List<BadText> blanks() {
    return List.of(
        new BadText("empty", "", "blank"),
        new BadText("spaces", "   ", "blank"),
        new BadText("tabs and newlines", "\t\n", "blank"),
        new BadText("em spaces only", "\u2003\u2003", "blank"));
  }

  /** JSON values of the wrong type for a string field, including MongoDB operator objects. */
  private static final List<String> NOT_A_STRING =
      List.of(
          "311", "-1", "3.14", "1e999", "true", "false", "[]", "[\"Alux Nahual\"]", "{}",
          "{\"$gt\":\"\"}", "{\"$ne\":null}", "{\"$where\":\"sleep(1000)\"}", "{\"$regex\":\".*\"}",
          "[{\"$gt\":\"\"}]", "{\"$in\":[\"Alux Nahual\"]}");

  /** A bad year or rank value (raw JSON) and the code it must get. */
  private record BadNumber(String label, String json, String code) {}

  private static List<BadNumber> badNumbers(String field, int min, int max) {
    String nines = "9".repeat(400);
    List<BadNumber> list = new ArrayList<>();
    list.add(new BadNumber("below the range", Integer.toString(min - 1), "out_of_range"));
    list.add(new BadNumber("above the range", Integer.toString(max + 1), "out_of_range"));
    list.add(new BadNumber("negative", "-" + min, "out_of_range"));
    list.add(new BadNumber("negative zero string", "\"-0\"", "out_of_range"));
    list.add(new BadNumber("int overflow", "2147483648", "out_of_range"));
    list.add(new BadNumber("long overflow", "-9223372036854775809", "out_of_range"));
    list.add(new BadNumber("1e999 as a number", "1e999", "out_of_range"));
    list.add(new BadNumber("-1e999 as a number", "-1e999", "out_of_range"));
    list.add(new BadNumber("1e-999 as a number", "1e-999", "not_an_integer"));
    list.add(new BadNumber("fraction", "87.5", "not_an_integer"));
    list.add(new BadNumber("tiny fraction", "87.000000000000001", "not_an_integer"));
    list.add(new BadNumber("400 digits as a string", json(nines), "out_of_range"));
    list.add(new BadNumber("minus 400 digits as a string", json("-" + nines), "out_of_range"));
    list.add(new BadNumber("400 digits as a number", nines, "too_long"));
    list.add(new BadNumber("1e999 as a string", "\"1e999\"", "not_an_integer"));
    list.add(new BadNumber("NaN as a string", "\"NaN\"", "not_an_integer"));
    list.add(new BadNumber("Infinity as a string", "\"Infinity\"", "not_an_integer"));
    list.add(new BadNumber("-Infinity as a string", "\"-Infinity\"", "not_an_integer"));
    list.add(new BadNumber("hex string", "\"0x10\"", "not_an_integer"));
    list.add(new BadNumber("fraction string", "\"87.5\"", "not_an_integer"));
    list.add(new BadNumber("words", "\"eighty\"", "not_an_integer"));
    list.add(new BadNumber("digits with a space", "\"8 7\"", "not_an_integer"));
    list.add(new BadNumber("underscore digits", "\"1_000\"", "not_an_integer"));
    list.add(new BadNumber("Arabic-Indic digits", json("\u0668\u0667"), "not_an_integer"));
    list.add(new BadNumber("fullwidth digits", json("\uff18\uff17"), "not_an_integer"));
    list.add(new BadNumber("sign only", "\"-\"", "not_an_integer"));
    list.add(new BadNumber("NUL in digits", json("8\u00007"), "not_an_integer"));
    list.add(new BadNumber("markup string", "\"<b>87</b>\"", "not_an_integer"));
    list.add(new BadNumber("empty string", "\"\"", "blank"));
    list.add(new BadNumber("blank string", "\"  \"", "blank"));
    list.add(new BadNumber("null", "null", "required"));
    list.add(new BadNumber("boolean", "true", "wrong_type"));
    list.add(new BadNumber("array", "[87]", "wrong_type"));
    list.add(new BadNumber("operator object", "{\"$gt\":0}", "wrong_type"));
    list.add(new BadNumber("operator object with a string", "{\"$gte\":\"\"}", "wrong_type"));
    return list;
  }

  private static HttpCase post(String label, String body, int status, String field, String code) {
    return new HttpCase(label, "POST", "/votes", "application/json", Map.of(), utf8(body), status, field, code);
  }

  private static HttpCase postBytes(String label, byte[] body, int status, String field, String code) {
    return new HttpCase(label, "POST", "/votes", "application/json", Map.of(), body, status, field, code);
  }

  private static HttpCase batch(String label, String body, int status, String field, String code) {
    return new HttpCase(label, "POST", "/votes/batch", "application/json", Map.of(), utf8(body), status, field, code);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  public static List<HttpCase> http(Limits limits) {
    List<HttpCase> cases = new ArrayList<>();

    // text fields: every bad text in every field; blanks in the required ones; wrong types
    for (String field : List.of("name", "album", "voterId")) {
      for (BadText bad : badTexts(limits)) {
        cases.add(post(field + ": " + bad.label(), voteWith(field, json(bad.value())), 400, field, bad.code()));
      }
      if (!field.equals("voterId")) {
        for (BadText bad : blanks()) {
          cases.add(post(field + ": " + bad.label(), voteWith(field, json(bad.value())), 400, field, bad.code()));
        }
        cases.add(post(field + ": missing", voteWith(field, null), 400, field, "required"));
        cases.add(post(field + ": null", voteWith(field, "null"), 400, field, "required"));
      }
      for (String value : NOT_A_STRING) {
        cases.add(post(field + ": " + value, voteWith(field, value), 400, field, "wrong_type"));
      }
    }

    // numbers
    for (BadNumber bad : badNumbers("year", 1900, limits.maxYear())) {
      cases.add(post("year: " + bad.label(), voteWith("year", bad.json()), 400, "year", bad.code()));
    }
    for (BadNumber bad : badNumbers("rank", 1, 100)) {
      cases.add(post("rank: " + bad.label(), voteWith("rank", bad.json()), 400, "rank", bad.code()));
    }
    cases.add(post("year: missing", voteWith("year", null), 400, "year", "required"));
    cases.add(post("rank: missing", voteWith("rank", null), 400, "rank", "required"));
    cases.add(post("rank: NaN token", voteWith("rank", "NaN"), 400, "body", "malformed_json"));
    cases.add(post("rank: Infinity token", voteWith("rank", "Infinity"), 400, "body", "malformed_json"));
    cases.add(post("year: -Infinity token", voteWith("year", "-Infinity"), 400, "body", "malformed_json"));
    cases.add(post("rank: leading zeros", voteWith("rank", "087"), 400, "body", "malformed_json"));
    cases.add(post("rank: hex number", voteWith("rank", "0x57"), 400, "body", "malformed_json"));
    cases.add(post("rank: plus sign", voteWith("rank", "+87"), 400, "body", "malformed_json"));

    // the idempotency key, in the body and as a header
    for (String bad :
        List.of("", "has space", "a/b", "../../etc/passwd", "$gt", "<script>", "x".repeat(limits.maxVoteIdLength() + 1),
            "voto\u0000", "Trébol", "a;b", "a\"b")) {
      cases.add(post("voteId: " + json(bad), voteWith("voteId", json(bad)), 400, "voteId", "invalid_format"));
    }
    for (String value : List.of("87", "{\"$gt\":\"\"}", "[\"a\"]", "true")) {
      cases.add(post("voteId: " + value, voteWith("voteId", value), 400, "voteId", "wrong_type"));
    }
    for (String bad : List.of("has space", "a/b", "$where", "x".repeat(limits.maxVoteIdLength() + 1), "<b>")) {
      cases.add(
          new HttpCase(
              "Idempotency-Key header: " + bad, "POST", "/votes", "application/json", Map.of("Idempotency-Key", bad),
              utf8(GOOD_JSON), 400, "Idempotency-Key", "invalid_format"));
    }

    // unknown fields, including operator-looking and prototype-pollution names
    for (String unknown : List.of("$where", "$gt", "__proto__", "constructor", "Name", "voteid", "_id", "name ", "")) {
      cases.add(
          post("unknown field " + json(unknown), GOOD_JSON.substring(0, GOOD_JSON.length() - 1) + "," + json(unknown) + ":1}",
              400, unknown, "unknown_field"));
    }

    // bodies broken as a whole: truncated at many points, trailing data, not one object
    byte[] good = utf8(GOOD_JSON);
    for (int cut : new int[] {1, 2, 5, 9, 10, 20, 30, 40, 50, good.length / 2, good.length - 2, good.length - 1}) {
      byte[] prefix = java.util.Arrays.copyOf(good, Math.min(cut, good.length - 1));
      if (prefix.length == 0) {
        continue;
      }
      cases.add(postBytes("truncated after " + prefix.length + " bytes", prefix, 400, "body", "malformed_json"));
    }
    cases.add(post("two objects", GOOD_JSON + GOOD_JSON, 400, "body", "malformed_json"));
    cases.add(post("trailing garbage", GOOD_JSON + " x", 400, "body", "malformed_json"));
    cases.add(post("duplicate key", voteWith("rank", "87").replace("{", "{\"rank\":50,"), 400, "body", "malformed_json"));
    cases.add(post("single quotes", "{'name':'Alux Nahual'}", 400, "body", "malformed_json"));
    cases.add(post("comment", "/* x */" + GOOD_JSON, 400, "body", "malformed_json"));
    cases.add(post("unquoted keys", "{name:\"Alux Nahual\"}", 400, "body", "malformed_json"));
    cases.add(post("trailing comma", GOOD_JSON.substring(0, GOOD_JSON.length() - 1) + ",}", 400, "body", "malformed_json"));
    cases.add(post("raw control character in a string", voteWith("name", "\"Alux\u0001Nahual\""), 400, "body", "malformed_json"));
    cases.add(post("bad escape", voteWith("name", "\"Alux\\xNahual\""), 400, "body", "malformed_json"));
    cases.add(post("short unicode escape", voteWith("name", "\"Alux\\u12\""), 400, "body", "malformed_json"));
    cases.add(post("null body", "null", 400, "body", null));
    cases.add(post("true body", "true", 400, "body", "wrong_type"));
    cases.add(post("number body", "42", 400, "body", "wrong_type"));
    cases.add(post("string body", "\"vote\"", 400, "body", "wrong_type"));
    cases.add(post("array of a vote", "[" + GOOD_JSON + "]", 400, "body", "wrong_type"));
    cases.add(post("empty body", "", 400, "body", "required"));
    cases.add(post("whitespace body", "  \n\t ", 400, "body", "required"));
    cases.add(post("empty object", "{}", 400, "name", "required"));

    // deep nesting: refused by the parser's depth limit, well before the size limit
    cases.add(post("nested arrays 5000 deep", "[".repeat(5_000) + "]".repeat(5_000), 400, "body", "too_deep"));
    cases.add(post("nested objects in a field", voteWith("name", "{\"a\":".repeat(100) + "1" + "}".repeat(100)), 400, "body", "too_deep"));
    cases.add(post("unclosed nesting", "[".repeat(3_000), 400, "body", "too_deep"));
    cases.add(batch("nested arrays in a batch", "[" + "[".repeat(1_000) + "]".repeat(1_000) + "]", 400, "body", "too_deep"));

    // bytes that are not UTF-8, and NUL bytes outside strings
    byte[][] badUtf8 = {
      {(byte) 0xC3, 0x28}, // a lead byte without its continuation
      {(byte) 0xFF, (byte) 0xFE}, // never valid in UTF-8
      {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
      {(byte) 0x80}, // a lone continuation byte
      {(byte) 0xE2, (byte) 0x82}, // truncated three-byte sequence
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate encoded in UTF-8
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
      {(byte) 0xE9}, // Latin-1 é
    };
    for (int i = 0; i < badUtf8.length; i++) {
      byte[] body = concat(utf8("{\"name\":\"Alux"), badUtf8[i], utf8("\",\"album\":\"Resaca\",\"year\":2002,\"rank\":87}"));
      cases.add(postBytes("invalid UTF-8 #" + (i + 1) + " in name", body, 400, "body", "malformed_json"));
    }
    cases.add(postBytes("latin-1 body", GOOD_JSON.getBytes(StandardCharsets.ISO_8859_1), 400, "body", "malformed_json"));
    cases.add(postBytes("NUL byte before the body", concat(new byte[] {0}, good), 400, "body", "malformed_json"));
    cases.add(postBytes("NUL byte after the body", concat(good, new byte[] {0}), 400, "body", "malformed_json"));
    cases.add(postBytes("NUL byte between tokens", utf8(GOOD_JSON.replace(",", ",\u0000")), 400, "body", "malformed_json"));
    cases.add(postBytes("NUL bytes only", new byte[64], 400, "body", null));

    // huge bodies and batches
    cases.add(post("body one byte over the limit", voteWith("name", json("x".repeat(limits.maxBodyBytes()))), 413, "body", "too_large"));
    cases.add(post("body four times the limit", " ".repeat(limits.maxBodyBytes() * 4) + GOOD_JSON, 413, "body", "too_large"));
    cases.add(batch("batch over the byte limit", "[" + GOOD_JSON + "," + " ".repeat(limits.maxBatchBodyBytes()) + GOOD_JSON + "]", 413, "body", "too_large"));
    cases.add(batch("batch over the item limit", "[" + String.join(",", Collections.nCopies(limits.maxBatchSize() + 1, GOOD_JSON)) + "]", 413, "body", "too_many_items"));
    cases.add(batch("batch not an array", GOOD_JSON, 400, "body", "wrong_type"));
    cases.add(batch("batch empty", "[]", 400, "body", "required"));
    cases.add(batch("batch truncated", "[" + GOOD_JSON + ",", 400, "body", "malformed_json"));
    cases.add(batch("batch of nulls", "[null,null]", 400, "[0].vote", "wrong_type"));
    cases.add(batch("batch of strings", "[\"a\",\"b\"]", 400, "[0].vote", "wrong_type"));
    cases.add(batch("batch of nested arrays", "[[" + GOOD_JSON + "]]", 400, "[0].vote", "wrong_type"));
    cases.add(batch("batch of markup", "[" + voteWith("name", json("<script>x</script>")) + "]", 400, "[0].name", "invalid_text"));
    cases.add(batch("batch of operator objects", "[" + voteWith("album", "{\"$gt\":\"\"}") + "]", 400, "[0].album", "wrong_type"));
    cases.add(batch("batch of NUL names", "[" + voteWith("name", json("\u0000")) + "," + voteWith("name", json("a\u0000")) + "]", 400, "[1].name", "invalid_text"));
    cases.add(batch("batch of bad ranks", "[" + voteWith("rank", "0") + "," + voteWith("rank", "\"1e999\"") + "]", 400, "[1].rank", "not_an_integer"));
    cases.add(
        new HttpCase("batch with an Idempotency-Key", "POST", "/votes/batch", "application/json", Map.of("Idempotency-Key", "k-1"),
            utf8("[" + GOOD_JSON + "]"), 400, "Idempotency-Key", "not_allowed"));

    // media types
    for (String type :
        new String[] {
          "text/plain", "text/html", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
          "application/xml", "text/json", "application/jsonp", "application/octet-stream", "*/*",
          "application/json; charset=ISO-8859-1", "application/json; charset=utf-16", "application/json; charset=\"windows-1252\"",
          "json", ""
        }) {
      cases.add(new HttpCase("Content-Type " + json(type), "POST", "/votes", type, Map.of(), good, 415, "Content-Type", "unsupported"));
    }
    cases.add(new HttpCase("no Content-Type", "POST", "/votes", null, Map.of(), good, 415, "Content-Type", "unsupported"));
    cases.add(new HttpCase("form-encoded batch", "POST", "/votes/batch", "application/x-www-form-urlencoded", Map.of(),
        utf8("name=Alux"), 415, "Content-Type", "unsupported"));

    // methods and paths
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
      cases.add(new HttpCase(method + " /votes", method, "/votes", "application/json", Map.of(), method.equals("GET") || method.equals("DELETE") ? new byte[0] : good, 405, null, null));
    }
    cases.add(new HttpCase("GET /votes/batch", "GET", "/votes/batch", null, Map.of(), new byte[0], 405, null, null));
    for (String path : List.of("/vote", "/VOTES", "/votes/batch/1", "/admin", "/votes;jsessionid=x", "/votes/a%2fb")) {
      cases.add(new HttpCase("POST " + path, "POST", path, "application/json", Map.of(), good, 404, null, null));
    }
    // refused by Jetty before routing, still as problem+json
    for (String path : List.of("/votes/%00", "/%2e%2e/etc/passwd", "/votes/%2e%2e/%2e%2e/admin")) {
      cases.add(new HttpCase("POST " + path, "POST", path, "application/json", Map.of(), good, 400, "path", null));
    }
    return cases;
  }

  // ---- gRPC ------------------------------------------------------------------------------------

  private static Vote change(UnaryOperator<Vote.Builder> edit) {
    return edit.apply(GOOD_VOTE.toBuilder()).build();
  }

  private static final Status.Code BAD = Status.Code.INVALID_ARGUMENT;

  public static List<GrpcCase> grpc(Limits limits) {
    List<GrpcCase> cases = new ArrayList<>();
    Map<String, java.util.function.BiFunction<Vote.Builder, String, Vote.Builder>> textFields = new LinkedHashMap<>();
    textFields.put("name", Vote.Builder::setName);
    textFields.put("album", Vote.Builder::setAlbum);
    textFields.put("voter_id", Vote.Builder::setVoterId);
    for (Map.Entry<String, java.util.function.BiFunction<Vote.Builder, String, Vote.Builder>> field : textFields.entrySet()) {
      for (BadText bad : badTexts(limits)) {
        if (bad.label().contains("surrogate") || bad.label().contains("reversed pair")) {
          continue; // protobuf encodes Java strings as UTF-8, replacing lone surrogates: see the raw cases
        }
        Vote vote = field.getValue().apply(GOOD_VOTE.toBuilder(), bad.value()).build();
        cases.add(new GrpcCase("Cast " + field.getKey() + ": " + bad.label(), GrpcKind.CAST, vote, null, null, BAD, field.getKey(),
            bad.code().toUpperCase(java.util.Locale.ROOT)));
      }
      if (!field.getKey().equals("voter_id")) {
        for (BadText bad : blanks()) {
          Vote vote = field.getValue().apply(GOOD_VOTE.toBuilder(), bad.value()).build();
          String reason = bad.value().isEmpty() ? "REQUIRED" : "BLANK"; // proto3 cannot tell "" from unset
          cases.add(new GrpcCase("Cast " + field.getKey() + ": " + bad.label(), GrpcKind.CAST, vote, null, null, BAD, field.getKey(), reason));
        }
      }
    }
    int[][] years = {{1899, 0}, {0, 0}, {-1, 0}, {-2002, 0}, {limits.maxYear() + 1, 0}, {Integer.MAX_VALUE, 0}, {Integer.MIN_VALUE, 0}};
    for (int[] year : years) {
      cases.add(new GrpcCase("Cast year " + year[0], GrpcKind.CAST, change(b -> b.setYear(year[0])), null, null, BAD, "year", "OUT_OF_RANGE"));
    }
    for (int rank : new int[] {0, -1, -87, 101, 1000, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      cases.add(new GrpcCase("Cast rank " + rank, GrpcKind.CAST, change(b -> b.setRank(rank)), null, null, BAD, "rank", "OUT_OF_RANGE"));
    }
    cases.add(new GrpcCase("Cast without year", GrpcKind.CAST, change(Vote.Builder::clearYear), null, null, BAD, "year", "REQUIRED"));
    cases.add(new GrpcCase("Cast without rank", GrpcKind.CAST, change(Vote.Builder::clearRank), null, null, BAD, "rank", "REQUIRED"));
    cases.add(new GrpcCase("Cast of an empty vote", GrpcKind.CAST, Vote.getDefaultInstance(), null, null, BAD, "name", "REQUIRED"));
    for (String bad : List.of("has space", "a/b", "$gt", "<script>", "x".repeat(limits.maxVoteIdLength() + 1), "voto\u0000", "Trébol")) {
      cases.add(new GrpcCase("Cast vote_id " + json(bad), GrpcKind.CAST, change(b -> b.setVoteId(bad)), null, null, BAD, "vote_id", "INVALID_FORMAT"));
    }

    // raw bytes that are not a Vote: truncated, invalid UTF-8, broken tags, deep groups
    List<byte[]> raw = new ArrayList<>();
    raw.add(new byte[] {0x0A, 0x05, 'a'}); // name says 5 bytes, has 1
    raw.add(new byte[] {0x0A}); // a tag without its value
    raw.add(new byte[] {0x18, (byte) 0xFF}); // a varint that never ends
    raw.add(new byte[] {0x18, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
    raw.add(new byte[] {0x0A, 0x02, (byte) 0xC3, 0x28}); // invalid UTF-8 in name
    raw.add(new byte[] {0x12, 0x01, (byte) 0xFF}); // invalid UTF-8 in album
    raw.add(new byte[] {0x0A, 0x03, (byte) 0xED, (byte) 0xA0, (byte) 0x80}); // a surrogate in UTF-8
    raw.add(new byte[] {0x2A, 0x02, (byte) 0xC0, (byte) 0xAF}); // overlong in voter_id
    raw.add(new byte[] {0x0B}); // a group that never ends
    raw.add(new byte[] {0x0C}); // an end-group without a start
    raw.add(new byte[] {0x00}); // field number 0
    raw.add(new byte[] {0x0F}); // wire type 7 does not exist
    raw.add(new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}); // a 4 GB length
    byte[] deepGroups = new byte[400]; // unknown field 9 as 200 nested groups: past protobuf's recursion limit
    for (int i = 0; i < 200; i++) {
      deepGroups[i] = 0x4B;
      deepGroups[399 - i] = 0x4C;
    }
    raw.add(deepGroups);
    for (int i = 0; i < raw.size(); i++) {
      cases.add(new GrpcCase("Cast raw bytes #" + (i + 1), GrpcKind.CAST_RAW, null, null, raw.get(i), BAD, "request", "MALFORMED"));
    }
    cases.add(new GrpcCase("Cast raw bytes: a valid vote then garbage", GrpcKind.CAST_RAW, null, null,
        concat(GOOD_VOTE.toByteArray(), new byte[] {0x0A, 0x7F}), BAD, "request", "MALFORMED"));

    // the stream: invalid votes are acked INVALID; broken messages end it
    for (BadText bad : badTexts(limits).subList(0, 6)) {
      cases.add(new GrpcCase("CastStream name: " + bad.label(), GrpcKind.STREAM, null,
          List.of(GOOD_VOTE.toBuilder().setName(bad.value()).build()), null, BAD, "name", null));
    }
    cases.add(new GrpcCase("CastStream rank 0", GrpcKind.STREAM, null, List.of(change(b -> b.setRank(0))), null, BAD, "rank", null));
    cases.add(new GrpcCase("CastStream album markup", GrpcKind.STREAM, null,
        List.of(change(b -> b.setAlbum("<img src=x onerror=alert(1)>"))), null, BAD, "album", null));
    cases.add(new GrpcCase("CastStream empty message", GrpcKind.STREAM_RAW, null, null, new byte[0], BAD, "votes", "REQUIRED"));
    cases.add(new GrpcCase("CastStream truncated message", GrpcKind.STREAM_RAW, null, null,
        new byte[] {0x12, 0x10, 0x0A, 0x01, 'a'}, BAD, "request", "MALFORMED"));
    cases.add(new GrpcCase("CastStream invalid UTF-8", GrpcKind.STREAM_RAW, null, null,
        concat(new byte[] {0x12, 0x04, 0x0A, 0x02, (byte) 0xC3, 0x28}), BAD, "request", "MALFORMED"));
    return cases;
  }

  /** Inputs for a stream message the test must build itself (the proto type is the service's). */
  public static CastStreamRequest streamRequest(List<Vote> votes) {
    return CastStreamRequest.newBuilder().setFirstSequence(1).addAllVotes(votes).build();
  }
}
