package gt.quetzal.streams.topology;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;

/**
 * One merged delta that {@link TallyCombiner} forwards, through the one repartition topic of deltas,
 * to {@link SumTallies}. Downstream of {@link SumTallies} the same shapes carry the new totals.
 */
sealed interface TallyDelta {

  /**
   * The repartition key: the band for a band, album or minute delta, so that everything about one
   * band meets in one task (and one instance answers for it); the stat's name for a stat.
   */
  String partitionKey();

  /** Votes added to one band's total. */
  record Band(String band, long count) implements TallyDelta {
    @Override
    public String partitionKey() {
      return band;
    }
  }

  /** Votes and rank statistics added to one album. */
  record Album(AlbumKey key, AlbumTally tally) implements TallyDelta {
    @Override
    public String partitionKey() {
      return key.band();
    }
  }

  /** Votes added to one band in one minute. */
  record Minute(BandMinute minute, long count) implements TallyDelta {
    @Override
    public String partitionKey() {
      return minute.band();
    }
  }

  /** One stat counter's increase ({@code gt.quetzal.contract.Stats}). */
  record Stat(String name, long count) implements TallyDelta {
    @Override
    public String partitionKey() {
      return name;
    }
  }
}
