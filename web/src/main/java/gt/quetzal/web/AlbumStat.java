package gt.quetzal.web;

/**
 * One album's tally as the sinks mirrored it into {@code RedisKeys.ALBUM_STATS}.
 *
 * @param rankAverage the voters' mean rating, 1..100 (0 when nothing was counted)
 */
public record AlbumStat(String band, String album, long count, double rankAverage, int rankMin, int rankMax) {}
