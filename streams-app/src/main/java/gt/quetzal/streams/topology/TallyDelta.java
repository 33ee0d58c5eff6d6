package gt.quetzal.streams.topology;

import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.AlbumTally;
import gt.quetzal.contract.BandMinute;

/**
 * One merged delta that {@link TallyCombiner} forwards: the topology splits them by kind, each kind
 * onto its own repartition topic and reduce.
 */
sealed interface TallyDelta {

  /** Votes added to one band's total. */
  record Band(String band, long count) implements TallyDelta {}

  /** Votes and rank statistics added to one album. */
  record Album(AlbumKey key, AlbumTally tally) implements TallyDelta {}

  /** Votes added to one band in one minute. */
  record Minute(BandMinute minute, long count) implements TallyDelta {}

  /** One stat counter's increase ({@code gt.quetzal.contract.Stats}). */
  record Stat(String name, long count) implements TallyDelta {}
}
