package gt.quetzal.streams.topology;

/** One band's album in one minute of event time: the finest grain every aggregate sums over. */
record VoteCell(String band, String album, long minuteStart) {}
