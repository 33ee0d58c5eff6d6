package gt.quetzal.load.traffic;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The ways a generated vote is wrong. Most are refused at the door by ingest (400 over HTTP,
 * INVALID_ARGUMENT over gRPC); {@link #UNKNOWN_BAND} and {@link #UNKNOWN_ALBUM} are well-formed, so
 * ingest accepts them and the streams app rejects them against the catalog. Each flaw starts from a
 * valid vote and breaks exactly one thing, so the file exercises both gates.
 */
public enum Flaw {
  RANK_OUT_OF_RANGE(Gate.INGEST) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("rank", pick(random, "0", "101", "-3", "250"));
    }
  },
  RANK_NOT_A_NUMBER(Gate.INGEST) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("rank", pick(random, "ninety", "", "8.5", "1e2"));
    }
  },
  MISSING_RANK(Gate.INGEST) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.remove("rank");
    }
  },
  YEAR_OUT_OF_RANGE(Gate.INGEST) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("year", pick(random, "1850", "3024", "0"));
    }
  },
  BLANK_NAME(Gate.INGEST) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("name", pick(random, "", "   "));
    }
  },
  BLANK_ALBUM(Gate.INGEST) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("album", pick(random, "", " \t "));
    }
  },
  UNKNOWN_BAND(Gate.STREAMS) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("name", pick(random, FAKE_BANDS));
    }
  },
  UNKNOWN_ALBUM(Gate.STREAMS) {
    @Override
    void apply(Map<String, String> vote, Random random) {
      vote.put("album", pick(random, FAKE_ALBUMS));
    }
  };

  /** Which stage refuses a vote with this flaw. */
  public enum Gate {
    /** ingest's field rules: the client gets 400 / INVALID_ARGUMENT. */
    INGEST,
    /** the streams app's catalog check: accepted by ingest, then rejected with a reason. */
    STREAMS
  }

  // Invented names, chosen so no real catalog entry folds to them.
  private static final List<String> FAKE_BANDS =
      List.of("Los Fantasmas del Lago", "Banda Inexistente", "Trébol Fantasma", "Quetzales de Cartón");
  private static final List<String> FAKE_ALBUMS =
      List.of("Disco Perdido", "Demo que Nunca Salió", "Lado Z", "Grabación Pirata");

  private final Gate gate;

  Flaw(Gate gate) {
    this.gate = gate;
  }

  public Gate gate() {
    return gate;
  }

  /** Breaks {@code vote} (a valid seed-format vote) in this flaw's way. */
  abstract void apply(Map<String, String> vote, Random random);

  private static String pick(Random random, String... values) {
    return values[random.nextInt(values.length)];
  }

  private static String pick(Random random, List<String> values) {
    return values.get(random.nextInt(values.size()));
  }
}
