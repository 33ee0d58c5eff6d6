package gt.quetzal.streams.topology;

/** Count and rank statistics of the votes in one {@link VoteCell}; names live in the key only. */
record RankDelta(long count, long rankSum, int rankMin, int rankMax) {

  static RankDelta of(int rank) {
    return new RankDelta(1, rank, rank, rank);
  }

  RankDelta plus(RankDelta other) {
    return new RankDelta(
        count + other.count,
        rankSum + other.rankSum,
        Math.min(rankMin, other.rankMin),
        Math.max(rankMax, other.rankMax));
  }
}
