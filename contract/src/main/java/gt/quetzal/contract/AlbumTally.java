package gt.quetzal.contract;

/**
 * Value of {@code tallies.albums}: absolute count and rank statistics of one album.
 *
 * @param count   votes counted
 * @param rankSum sum of the voters' ranks, so the average survives later merges exactly
 * @param rankMin lowest rank given
 * @param rankMax highest rank given
 */
public record AlbumTally(String band, String album, long count, long rankSum, int rankMin, int rankMax) {

  public static AlbumTally first(String band, String album, int rank) {
    return new AlbumTally(band, album, 1, rank, rank, rank);
  }

  public AlbumTally plus(int rank) {
    return new AlbumTally(band, album, count + 1, rankSum + rank, Math.min(rankMin, rank), Math.max(rankMax, rank));
  }

  /** Average rank, or 0 when nothing was counted. */
  public double rankAverage() {
    return count == 0 ? 0 : (double) rankSum / count;
  }
}
