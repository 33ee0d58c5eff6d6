package gt.quetzal.sinks;

import gt.quetzal.contract.RedisKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua script ({@code mirror.lua}) that applies one poll of tally writes atomically: guarded HSETs,
 * the timeline stream rewrite, {@code updatedAt} and the change notification, in one EVALSHA.
 *
 * <p>Why a script: the guard must compare and write in one step (another replica may write between a
 * read and a write), and the timeline stream is derived from what the guard accepted. One EVALSHA per
 * poll is also one round trip however many records the poll held.
 */
final class RedisMirrorScript {

  static final String SOURCE = load();
  /** Redis names a cached script by the SHA-1 of its text, so the name is known without asking. */
  static final String SHA = sha1(SOURCE);

  /** One guarded write of a hash field: set {@code value}, or delete the field when it is {@code null}. */
  record FieldWrite(String field, long version, String value) {
    FieldWrite {
      Objects.requireNonNull(field, "field");
      if (value != null && value.isEmpty()) {
        // '' is the script's tombstone marker; mirrored values are numbers or JSON, never empty.
        throw new IllegalArgumentException("empty value for field " + field);
      }
    }
  }

  /**
   * Writes to one hash guarded by {@code guardKey}, where a field's version lives under {@code
   * guardPrefix} followed by the field (several hashes may share a guard hash, each under its own
   * prefix). {@code streamField} names the band when the hash is a band's timeline (its fields are
   * minutes), so accepted writes also land on the timeline stream.
   */
  record HashWrites(String key, String guardKey, String guardPrefix, String streamField, List<FieldWrite> fields) {
    HashWrites {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(guardKey, "guardKey");
      Objects.requireNonNull(guardPrefix, "guardPrefix");
      fields = List.copyOf(fields);
    }

    /** A hash with a guard hash of its own: same field names. */
    HashWrites(String key, String guardKey, String streamField, List<FieldWrite> fields) {
      this(key, guardKey, "", streamField, fields);
    }
  }

  /**
   * One source partition of a call: the sink believes Redis holds every record of it before {@code
   * held} ({@code -1}: no belief), and the call mirrors records up to {@code next}.
   */
  record Position(String partition, long held, long next) {}

  /**
   * What the script did: fields written (or deleted), fields refused because Redis held a newer
   * version; or nothing, and per partition the offset to read again from, because Redis lost writes.
   */
  record Outcome(long accepted, long refused, Map<String, Long> lost) {}

  /** The exact KEYS and ARGV of one call. */
  record Call(List<String> keys, List<String> args) {}

  private RedisMirrorScript() {}

  static Call call(List<HashWrites> writes, long now, String note, int timelineMaxMinutes) {
    return call(writes, now, note, timelineMaxMinutes, List.of());
  }

  static Call call(
      List<HashWrites> writes, long now, String note, int timelineMaxMinutes, List<Position> positions) {
    return call(writes, now, note, timelineMaxMinutes, positions, Set.of());
  }

  /**
   * The call for these writes. The script checks the type of every value hash not in {@code
   * knownHashes}: hashes this process wrote before, whose type only another client could have changed.
   */
  static Call call(
      List<HashWrites> writes,
      long now,
      String note,
      int timelineMaxMinutes,
      List<Position> positions,
      Set<String> knownHashes) {
    List<String> guards = new ArrayList<>();
    Map<String, Integer> guardIndex = new HashMap<>();
    for (HashWrites hash : writes) {
      guardIndex.computeIfAbsent(hash.guardKey(), guard -> {
        guards.add(guard);
        return guards.size();
      });
    }
    List<String> keys = new ArrayList<>(3 + guards.size() + writes.size());
    keys.add(RedisKeys.STATS);
    keys.add(RedisKeys.TIMELINE_STREAM);
    keys.add(RedisKeys.SINK_POSITIONS);
    keys.addAll(guards);
    List<String> args = new ArrayList<>();
    args.add(Long.toString(now));
    args.add(RedisKeys.STAT_UPDATED_AT);
    args.add(RedisKeys.CHANGES_CHANNEL);
    args.add(note);
    args.add(Integer.toString(timelineMaxMinutes));
    args.add(Integer.toString(positions.size()));
    for (Position position : positions) {
      args.add(position.partition());
      args.add(Long.toString(position.held()));
      args.add(Long.toString(position.next()));
    }
    args.add(Integer.toString(guards.size()));
    args.add(Integer.toString(writes.size()));
    for (HashWrites hash : writes) {
      keys.add(hash.key());
      args.add(Integer.toString(guardIndex.get(hash.guardKey())));
      args.add(hash.guardPrefix());
      args.add(hash.streamField() == null ? "" : hash.streamField());
      args.add(knownHashes.contains(hash.key()) ? "0" : "1");
      args.add(Integer.toString(hash.fields().size()));
      for (FieldWrite field : hash.fields()) {
        args.add(field.field());
        args.add(Long.toString(field.version()));
        args.add(field.value() == null ? "" : field.value());
      }
    }
    return new Call(keys, args);
  }

  /**
   * Runs the call by SHA; when Redis does not know the script (it restarted, or SCRIPT FLUSH) sends the
   * text once, which also caches it again. Any server error (NOAUTH, OOM, WRONGTYPE) propagates.
   */
  static Outcome run(UnifiedJedis redis, Call call) {
    Object reply;
    try {
      reply = redis.evalsha(SHA, call.keys(), call.args());
    } catch (JedisNoScriptException e) {
      reply = redis.eval(SOURCE, call.keys(), call.args());
    }
    List<?> counts = (List<?>) reply;
    long accepted = (Long) counts.get(0);
    if (accepted >= 0) {
      return new Outcome(accepted, (Long) counts.get(1), Map.of());
    }
    Map<String, Long> lost = new LinkedHashMap<>();
    for (int i = 2; i + 1 < counts.size(); i += 2) {
      lost.put(text(counts.get(i)), Long.parseLong(text(counts.get(i + 1))));
    }
    return new Outcome(0, 0, lost);
  }

  private static String text(Object reply) {
    return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  private static String load() {
    try (InputStream in = RedisMirrorScript.class.getResourceAsStream("mirror.lua")) {
      if (in == null) {
        throw new IllegalStateException("mirror.lua is missing from the sinks jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha1(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JRE", e);
    }
  }
}
